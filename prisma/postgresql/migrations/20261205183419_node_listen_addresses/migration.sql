-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "listenAddresses" TEXT NOT NULL DEFAULT '[]';

