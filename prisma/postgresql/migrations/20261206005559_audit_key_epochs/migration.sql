-- CreateTable
CREATE TABLE "AuditKeyEpoch" (
    "fromSeq" INTEGER NOT NULL,
    "keySealed" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditKeyEpoch_pkey" PRIMARY KEY ("fromSeq")
);

