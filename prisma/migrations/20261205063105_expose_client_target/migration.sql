-- A remote tunnel whose far end is its owner's `warren expose` client (no target host and port).
ALTER TABLE "Tunnel" ADD COLUMN "targetClient" BOOLEAN NOT NULL DEFAULT false;
