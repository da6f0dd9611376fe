-- Word search over the audit trail (?q=): an FTS5 index whose rowid is the
-- record's seq, fed by triggers, so it never needs a second write path.
-- Prisma does not model virtual tables; this migration is hand-written.
-- Dots join tokens, so an address or a host name is one word: searching
-- "10.0.5." is one prefix lookup, not a phrase over words found everywhere.
CREATE VIRTUAL TABLE "AuditSearch" USING fts5("text", content='', contentless_delete=1, tokenize="unicode61 tokenchars '.'");

INSERT INTO "AuditSearch"(rowid, "text")
  SELECT "seq", "action" || ' ' || coalesce("actorEmail", '') || ' ' || coalesce("actorIp", '') || ' ' || "details" FROM "AuditEvent";

CREATE TRIGGER "AuditEvent_search_insert" AFTER INSERT ON "AuditEvent" BEGIN
  INSERT INTO "AuditSearch"(rowid, "text")
    VALUES (new."seq", new."action" || ' ' || coalesce(new."actorEmail", '') || ' ' || coalesce(new."actorIp", '') || ' ' || new."details");
END;

CREATE TRIGGER "AuditEvent_search_delete" AFTER DELETE ON "AuditEvent" BEGIN
  DELETE FROM "AuditSearch" WHERE rowid = old."seq";
END;
