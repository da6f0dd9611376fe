-- Word search over the audit trail (?q=) on PostgreSQL: a trigram index over
-- the same text SQLite's FTS5 table holds (lib/audit/audit-query.ts queries
-- this very expression), so a search for any piece of at least three
-- characters, case-insensitive, is answered from the index. Hand-written:
-- Prisma does not model expression indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "AuditEvent_search_idx" ON "AuditEvent" USING gin (
  ("action" || ' ' || coalesce("actorEmail", '') || ' ' || coalesce("actorIp", '') || ' ' || "details") gin_trgm_ops
);
