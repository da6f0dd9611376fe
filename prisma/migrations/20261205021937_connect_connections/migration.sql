-- AlterTable
ALTER TABLE "TunnelConnection" ADD COLUMN "userId" TEXT;
ALTER TABLE "TunnelConnection" ADD COLUMN "via" TEXT;

