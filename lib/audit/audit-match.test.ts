import { describe, expect, it } from "vitest";
import { matchesAuditFilters } from "@/lib/audit/audit-match";
import type { AuditNewEvent } from "@/lib/realtime/events";

const event: AuditNewEvent = {
  seq: 7,
  at: "2026-11-25T10:00:00.000Z",
  actorType: "user",
  actorId: "u1",
  actorEmail: "alice@example.com",
  actorIp: "10.1.2.3",
  userAgent: null,
  action: "tunnel.opened",
  hostId: "h1",
  tunnelId: "t1",
  subjectId: null,
  details: { reason: "reconnected to db-1" },
  prevHash: "a",
  hash: "b",
};

describe("matchesAuditFilters", () => {
  it.each([
    [{}, true],
    [{ actor: "Alice@Example.com" }, true],
    [{ actor: "u1" }, true],
    [{ actor: "bob@example.com" }, false],
    [{ action: "tunnel.*" }, true],
    [{ action: "tunnel.closed" }, false],
    [{ hostId: "h2" }, false],
    [{ tunnelId: "t1", hostId: "h1" }, true],
    [{ from: "2026-11-25T09:00:00Z", to: "2026-11-25T11:00:00Z" }, true],
    [{ from: "2026-11-25T10:00:01Z" }, false],
    [{ to: "2026-11-25T10:00:00Z" }, false],
    [{ q: "db-1" }, true],
    [{ q: "10.1.2" }, true],
    [{ q: "nothing" }, false],
  ])("%o → %s", (filters, expected) => {
    expect(matchesAuditFilters(event, filters)).toBe(expected);
  });
});
