-- AlterTable
ALTER TABLE "User" ADD COLUMN     "checklistDismissedAt" TIMESTAMP(3);

