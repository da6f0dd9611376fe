-- CreateTable
CREATE TABLE "Team" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Membership" (
    "teamId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'member',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("teamId", "userId"),
    CONSTRAINT "Membership_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "HostTeam" (
    "hostId" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,

    PRIMARY KEY ("hostId", "teamId"),
    CONSTRAINT "HostTeam_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "HostTeam_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TunnelParticipant" (
    "tunnelId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "granted" BOOLEAN NOT NULL,
    "joinedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("tunnelId", "userId"),
    CONSTRAINT "TunnelParticipant_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "TunnelParticipant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Host" (
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
    "policyKinds" TEXT NOT NULL DEFAULT '["local","remote","dynamic"]',
    "policyTargets" TEXT NOT NULL DEFAULT '[]',
    "policyPorts" TEXT NOT NULL DEFAULT '[]',
    "policyPublicBinds" BOOLEAN NOT NULL DEFAULT false,
    "policyAnySource" BOOLEAN NOT NULL DEFAULT false,
    "policyMaxTtlMinutes" INTEGER NOT NULL DEFAULT 1440,
    "policyApproval" BOOLEAN NOT NULL DEFAULT false,
    "visibleToAll" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Host" ("address", "createdAt", "hostKeyFingerprint", "hostKeyStatus", "id", "keyGenerated", "name", "offeredFingerprint", "passphraseEnc", "policyAnySource", "policyKinds", "policyMaxTtlMinutes", "policyPorts", "policyPublicBinds", "policyTargets", "port", "privateKeyEnc", "publicKey", "updatedAt", "username") SELECT "address", "createdAt", "hostKeyFingerprint", "hostKeyStatus", "id", "keyGenerated", "name", "offeredFingerprint", "passphraseEnc", "policyAnySource", "policyKinds", "policyMaxTtlMinutes", "policyPorts", "policyPublicBinds", "policyTargets", "port", "privateKeyEnc", "publicKey", "updatedAt", "username" FROM "Host";
DROP TABLE "Host";
ALTER TABLE "new_Host" RENAME TO "Host";
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");
CREATE TABLE "new_Tunnel" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "hostId" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "listenAddress" TEXT NOT NULL,
    "listenPort" INTEGER NOT NULL,
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
INSERT INTO "new_Tunnel" ("allowedSources", "bytesIn", "bytesOut", "closedAt", "connectionsTotal", "createdAt", "expiresAt", "hostId", "id", "kind", "listenAddress", "listenPort", "ownerId", "status", "statusReason", "targetHost", "targetPort", "updatedAt") SELECT "allowedSources", "bytesIn", "bytesOut", "closedAt", "connectionsTotal", "createdAt", "expiresAt", "hostId", "id", "kind", "listenAddress", "listenPort", "ownerId", "status", "statusReason", "targetHost", "targetPort", "updatedAt" FROM "Tunnel";
DROP TABLE "Tunnel";
ALTER TABLE "new_Tunnel" RENAME TO "Tunnel";
CREATE INDEX "Tunnel_ownerId_idx" ON "Tunnel"("ownerId");
CREATE INDEX "Tunnel_status_idx" ON "Tunnel"("status");
CREATE INDEX "Tunnel_teamId_idx" ON "Tunnel"("teamId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Team_name_key" ON "Team"("name");

-- CreateIndex
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

-- CreateIndex
CREATE INDEX "HostTeam_teamId_idx" ON "HostTeam"("teamId");

-- CreateIndex
CREATE INDEX "TunnelParticipant_userId_idx" ON "TunnelParticipant"("userId");

