-- CreateEnum
CREATE TYPE "HostKeyOrigin" AS ENUM ('pinned', 'first_use');

-- AlterTable
ALTER TABLE "Host" ADD COLUMN     "hostKeyOrigin" "HostKeyOrigin",
ADD COLUMN     "lastTestAt" TIMESTAMP(3),
ADD COLUMN     "lastTestMessage" TEXT,
ADD COLUMN     "lastTestOk" BOOLEAN;


-- A key already trusted was pinned when the audit trail says an admin gave
-- it (its last trust record is not a first use, or the host was created with
-- it); otherwise, pruned records included, it counts as recorded on first use.
UPDATE "Host" SET "hostKeyOrigin" = CASE
  WHEN COALESCE(
    (SELECT "details" NOT LIKE '%"firstUse":true%' FROM "AuditEvent"
      WHERE "AuditEvent"."hostId" = "Host"."id" AND "action" = 'host.key_trusted' ORDER BY "seq" DESC LIMIT 1),
    EXISTS (SELECT 1 FROM "AuditEvent"
      WHERE "AuditEvent"."hostId" = "Host"."id" AND "action" = 'host.created' AND "details" LIKE '%"hostKeyFingerprint":"SHA256:%')
  ) THEN 'pinned'::"HostKeyOrigin" ELSE 'first_use'::"HostKeyOrigin" END
WHERE "hostKeyFingerprint" IS NOT NULL;
