-- CreateTable
CREATE TABLE "AuditSink" (
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT 'environment',
    "target" TEXT NOT NULL,
    "configEnc" TEXT,
    "deliveredSeq" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "lastAttemptAt" TIMESTAMP(3),
    "lastDeliveredAt" TIMESTAMP(3),
    "leaseNode" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditSink_pkey" PRIMARY KEY ("name")
);

