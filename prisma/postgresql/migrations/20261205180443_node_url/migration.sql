-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "url" TEXT NOT NULL DEFAULT '';

