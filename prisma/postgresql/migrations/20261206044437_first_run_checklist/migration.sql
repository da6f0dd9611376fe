-- AlterTable
ALTER TABLE "User" ADD COLUMN     "checklistDismissedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "testedAt" TIMESTAMP(3);

