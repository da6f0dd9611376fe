-- AlterTable
ALTER TABLE "Tunnel" ADD COLUMN     "leaseUntil" TIMESTAMP(3),
ADD COLUMN     "nodeName" TEXT;

-- AlterTable
-- The mark from before nodes had names becomes "", which the first node to start takes over.
ALTER TABLE "EngineJournalMark" DROP CONSTRAINT "EngineJournalMark_pkey",
DROP COLUMN "id",
ADD COLUMN     "nodeName" TEXT NOT NULL DEFAULT '',
ADD CONSTRAINT "EngineJournalMark_pkey" PRIMARY KEY ("nodeName");
ALTER TABLE "EngineJournalMark" ALTER COLUMN "nodeName" DROP DEFAULT;

-- CreateTable
CREATE TABLE "Node" (
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "Node_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "ClusterKeys" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "secretKeyMac" TEXT NOT NULL,
    "authSecretMac" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClusterKeys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Tunnel_nodeName_idx" ON "Tunnel"("nodeName");

-- AddForeignKey
ALTER TABLE "Tunnel" ADD CONSTRAINT "Tunnel_nodeName_fkey" FOREIGN KEY ("nodeName") REFERENCES "Node"("name") ON DELETE SET NULL ON UPDATE CASCADE;


-- socket.io's PostgreSQL adapter (server/realtime/cluster-adapter.ts) relays
-- broadcasts larger than a NOTIFY payload through this table. Hand-written:
-- the adapter's own table, not part of Warren's model.
CREATE TABLE "socket_io_attachments" (
    "id" BIGSERIAL UNIQUE,
    "created_at" TIMESTAMPTZ DEFAULT now(),
    "payload" BYTEA
);
