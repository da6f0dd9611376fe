-- AlterTable
ALTER TABLE "Tunnel" ADD COLUMN "requestReason" TEXT;

