-- AlterTable
ALTER TABLE "User" ADD COLUMN "checklistDismissedAt" DATETIME;

-- AlterTable
ALTER TABLE "Host" ADD COLUMN "testedAt" DATETIME;

