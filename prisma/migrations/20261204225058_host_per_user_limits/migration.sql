-- Per-user limits in a host's policy (port squatting): open tunnels, and requests waiting for approval.
ALTER TABLE "Host" ADD COLUMN "policyMaxOpenPerUser" INTEGER NOT NULL DEFAULT 10;
ALTER TABLE "Host" ADD COLUMN "policyMaxPendingPerUser" INTEGER NOT NULL DEFAULT 5;
