-- AlterTable
ALTER TABLE "Host" ADD COLUMN "policyIdleMinutes" INTEGER;

-- AlterTable
ALTER TABLE "Tunnel" ADD COLUMN "idleMinutes" INTEGER;

