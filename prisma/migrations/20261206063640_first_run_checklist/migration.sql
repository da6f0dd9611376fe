-- AlterTable
ALTER TABLE "User" ADD COLUMN "checklistDismissedAt" DATETIME;

