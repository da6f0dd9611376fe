-- CreateTable
CREATE TABLE "AuditSink" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'environment',
    "target" TEXT NOT NULL,
    "configEnc" TEXT,
    "deliveredSeq" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "lastAttemptAt" DATETIME,
    "lastDeliveredAt" DATETIME,
    "leaseNode" TEXT,
    "leaseUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

