-- AlterTable
ALTER TABLE "Host" ADD COLUMN "nodes" TEXT NOT NULL DEFAULT '[]';
