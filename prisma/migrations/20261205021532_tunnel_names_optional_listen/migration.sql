-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Tunnel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "name" TEXT,
    "listenAddress" TEXT,
    "listenPort" INTEGER,
    "targetHost" TEXT,
    "targetPort" INTEGER,
    "allowedSources" TEXT NOT NULL DEFAULT '[]',
    "teamId" TEXT,
    "ttlMinutes" INTEGER NOT NULL DEFAULT 60,
    "pendingUntil" DATETIME,
    "extensionMinutes" INTEGER,
    "extensionUntil" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'requested',
    "statusReason" TEXT,
    "bytesIn" BIGINT NOT NULL DEFAULT 0,
    "bytesOut" BIGINT NOT NULL DEFAULT 0,
    "connectionsTotal" INTEGER NOT NULL DEFAULT 0,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "closedAt" DATETIME,
    CONSTRAINT "Tunnel_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Tunnel_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Tunnel_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Tunnel" ("allowedSources", "bytesIn", "bytesOut", "closedAt", "connectionsTotal", "createdAt", "expiresAt", "extensionMinutes", "extensionUntil", "hostId", "id", "kind", "listenAddress", "listenPort", "ownerId", "pendingUntil", "status", "statusReason", "targetHost", "targetPort", "teamId", "ttlMinutes", "updatedAt") SELECT "allowedSources", "bytesIn", "bytesOut", "closedAt", "connectionsTotal", "createdAt", "expiresAt", "extensionMinutes", "extensionUntil", "hostId", "id", "kind", "listenAddress", "listenPort", "ownerId", "pendingUntil", "status", "statusReason", "targetHost", "targetPort", "teamId", "ttlMinutes", "updatedAt" FROM "Tunnel";
DROP TABLE "Tunnel";
ALTER TABLE "new_Tunnel" RENAME TO "Tunnel";
CREATE INDEX "Tunnel_ownerId_idx" ON "Tunnel"("ownerId");
CREATE INDEX "Tunnel_status_idx" ON "Tunnel"("status");
CREATE INDEX "Tunnel_teamId_idx" ON "Tunnel"("teamId");
CREATE INDEX "Tunnel_ownerId_name_idx" ON "Tunnel"("ownerId", "name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

