-- CreateTable
CREATE TABLE "Node" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "address" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL,
    "stoppedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ClusterKeys" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT DEFAULT 1,
    "secretKeyMac" TEXT NOT NULL,
    "authSecretMac" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- AlterTable (columns added in place: the tunnels table is not copied)
ALTER TABLE "Tunnel" ADD COLUMN "nodeName" TEXT REFERENCES "Node" ("name") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Tunnel" ADD COLUMN "leaseUntil" DATETIME;
CREATE INDEX "Tunnel_nodeName_idx" ON "Tunnel"("nodeName");

-- RedefineTables: the mark from before nodes had names becomes "", which the first node to start takes over.
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_EngineJournalMark" (
    "nodeName" TEXT NOT NULL PRIMARY KEY,
    "seq" INTEGER NOT NULL
);
INSERT INTO "new_EngineJournalMark" ("nodeName", "seq") SELECT '', "seq" FROM "EngineJournalMark";
DROP TABLE "EngineJournalMark";
ALTER TABLE "new_EngineJournalMark" RENAME TO "EngineJournalMark";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
