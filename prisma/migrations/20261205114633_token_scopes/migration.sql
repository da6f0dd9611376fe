-- Tokens gain a scope. Tokens made before keep all their owner may do; a device's token is for tunnels.
ALTER TABLE "ApiToken" ADD COLUMN "scope" TEXT NOT NULL DEFAULT 'admin';
UPDATE "ApiToken" SET "scope" = 'tunnels' WHERE "kind" = 'device';
