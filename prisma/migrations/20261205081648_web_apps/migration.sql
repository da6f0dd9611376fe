-- CreateTable
CREATE TABLE "AppHandoff" (
    "codeHash" TEXT NOT NULL PRIMARY KEY,
    "tunnelId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "stateHash" TEXT NOT NULL,
    "returnPath" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AppSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenHash" TEXT NOT NULL,
    "tunnelId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "userAgent" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    "endReason" TEXT,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "bytesIn" BIGINT NOT NULL DEFAULT 0,
    "bytesOut" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "AppSession_tunnelId_fkey" FOREIGN KEY ("tunnelId") REFERENCES "Tunnel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AppSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AppRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "tunnelId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "bytesIn" INTEGER NOT NULL,
    "bytesOut" INTEGER NOT NULL,
    "ms" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "SigningKey" (
    "kid" TEXT NOT NULL PRIMARY KEY,
    "privateJwk" TEXT NOT NULL,
    "publicJwk" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- AlterTable
ALTER TABLE "Tunnel" ADD COLUMN "webScheme" TEXT;
ALTER TABLE "Tunnel" ADD COLUMN "webHostHeader" TEXT;
ALTER TABLE "Tunnel" ADD COLUMN "webInsecureTls" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Tunnel" ADD COLUMN "webSlug" TEXT;

-- CreateIndex
CREATE INDEX "AppHandoff_expiresAt_idx" ON "AppHandoff"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "AppSession_tokenHash_key" ON "AppSession"("tokenHash");

-- CreateIndex
CREATE INDEX "AppSession_tunnelId_startedAt_idx" ON "AppSession"("tunnelId", "startedAt");

-- CreateIndex
CREATE INDEX "AppSession_endedAt_idx" ON "AppSession"("endedAt");

-- CreateIndex
CREATE INDEX "AppRequest_tunnelId_id_idx" ON "AppRequest"("tunnelId", "id");

-- CreateIndex
CREATE INDEX "AppRequest_at_idx" ON "AppRequest"("at");


-- CreateIndex
CREATE INDEX "Tunnel_webSlug_idx" ON "Tunnel"("webSlug");
