-- CreateTable
CREATE TABLE "Host" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "username" TEXT NOT NULL,
    "privateKeyEnc" TEXT NOT NULL,
    "passphraseEnc" TEXT,
    "publicKey" TEXT NOT NULL,
    "keyGenerated" BOOLEAN NOT NULL DEFAULT false,
    "hostKeyFingerprint" TEXT,
    "hostKeyStatus" TEXT NOT NULL DEFAULT 'unverified',
    "offeredFingerprint" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Tunnel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "listenAddress" TEXT NOT NULL,
    "listenPort" INTEGER NOT NULL,
    "targetHost" TEXT,
    "targetPort" INTEGER,
    "allowedSources" TEXT NOT NULL DEFAULT '[]',
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
    CONSTRAINT "Tunnel_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TunnelEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tunnelId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TunnelEvent_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TunnelConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tunnelId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "destination" TEXT,
    "bytesIn" BIGINT NOT NULL DEFAULT 0,
    "bytesOut" BIGINT NOT NULL DEFAULT 0,
    "openedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" DATETIME,
    "error" TEXT,
    CONSTRAINT "TunnelConnection_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

-- CreateIndex
CREATE INDEX "Tunnel_ownerId_idx" ON "Tunnel"("ownerId");

-- CreateIndex
CREATE INDEX "Tunnel_status_idx" ON "Tunnel"("status");

-- CreateIndex
CREATE INDEX "TunnelEvent_tunnelId_at_idx" ON "TunnelEvent"("tunnelId", "at");

-- CreateIndex
CREATE INDEX "TunnelConnection_tunnelId_openedAt_idx" ON "TunnelConnection"("tunnelId", "openedAt");

