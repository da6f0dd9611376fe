import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "@/lib/audit/audit-actions";
import { AUDIT_FAMILIES, type AuditNames, auditSentence, type SentenceRecord, unknownActionSentence } from "@/lib/audit/audit-sentence";

const names: AuditNames = {
  hosts: { h1: "lab-1" },
  tunnels: { t1: { endpoint: "db: 127.0.0.1:20001 → db:5432", owner: "bob@example.com" } },
  teams: { team1: "platform" },
  users: { u1: "bob@example.com", u2: "carol@example.com" },
};

const record = (action: string, details: Record<string, unknown> = {}, more: Partial<SentenceRecord> = {}): SentenceRecord => ({
  action,
  actorType: "user",
  actorEmail: "admin@example.com",
  hostId: null,
  tunnelId: null,
  subjectId: null,
  details,
  ...more,
});

describe("auditSentence", () => {
  it("has a sentence and a family for every action, with or without details and names", () => {
    for (const action of AUDIT_ACTIONS) {
      for (const [details, known] of [
        [{}, names],
        [{}, undefined],
      ] as const) {
        const input = record(action, details, { hostId: "h1", tunnelId: "t1", subjectId: "u1" });
        const { sentence, family } = auditSentence(input, known);
        expect(sentence, action).not.toBe(unknownActionSentence(input));
        expect(sentence, action).not.toMatch(/undefined|null|\[object|NaN/);
        expect(AUDIT_FAMILIES, action).toContain(family);
      }
    }
  });

  it("tells a tunnel request with its endpoint and host", () => {
    const requested = record(
      "tunnel.requested",
      { kind: "local", name: null, listen: { address: "127.0.0.1", port: 23123 }, target: { host: "localhost", port: 18080 }, ttlMinutes: 60 },
      { hostId: "h1", tunnelId: "t9" },
    );
    expect(auditSentence(requested, names)).toEqual({
      sentence: "admin@example.com opened local 127.0.0.1:23123 → localhost:18080 via lab-1 for 1 h",
      family: "tunnel",
    });
  });

  it("tells a host moved to another address, and the host key that went with the old one", () => {
    const moved = record(
      "host.updated",
      { name: "lab-1", changed: ["address", "port"], from: "10.0.0.1:22", to: "10.0.0.2:2222", forgotHostKey: "SHA256:abc" },
      { hostId: "h1" },
    );
    expect(auditSentence(moved, names).sentence).toBe(
      "admin@example.com changed host lab-1 (address, port), now at 10.0.0.2:2222, forgetting its host key SHA256:abc",
    );
    expect(auditSentence(record("host.updated", { name: "lab-1", changed: ["username"] }, { hostId: "h1" }), names).sentence).toBe(
      "admin@example.com changed host lab-1 (username)",
    );
  });

  it("names the person whose tunnel carried a connection, with bytes and duration formatted", () => {
    const closed = record(
      "connection.closed",
      { source: "127.0.0.1:50000", destination: "db:5432", bytesIn: 2048, bytesOut: 5, durationMs: 125_000, error: null, by: "engine" },
      { actorType: "system", actorEmail: null, hostId: "h1", tunnelId: "t1" },
    );
    expect(auditSentence(closed, names)).toEqual({
      sentence:
        "Connection from 127.0.0.1:50000 to db:5432 closed after 2 min 5 s (2.0 KiB in, 5 B out), carried by bob@example.com's tunnel db: 127.0.0.1:20001 → db:5432",
      family: "connection",
    });
  });

  it("uses names instead of ids, and the details for what is gone", () => {
    expect(auditSentence(record("host.created", { name: "lab-1", address: "127.0.0.1", port: 2222 }, { hostId: "h1" }), names).sentence).toBe(
      "admin@example.com added host lab-1 (127.0.0.1:2222)",
    );
    expect(auditSentence(record("token.created", { name: "ci", prefix: "wrn_ab", userId: "u2" }), names).sentence).toBe(
      "admin@example.com created API token ci (wrn_ab…) for carol@example.com",
    );
    expect(
      auditSentence(record("team.member_added", { team: "old", email: "carol@example.com", role: "member" }, { subjectId: "team1" }), names).sentence,
    ).toBe("admin@example.com added carol@example.com to team platform as member");
    expect(auditSentence(record("tunnel.opened", {}, { hostId: "gone", tunnelId: "c0ffee0123456789" }), names).sentence).toBe(
      "tunnel c0ffee0123… (removed) opened on a host since removed",
    );
  });

  it("speaks of Warren for system actors, and keeps an unknown action's name", () => {
    const pruned = record("audit.pruned", { removed: 1200, retentionDays: 90, throughSeq: 1300, by: "retention" }, { actorType: "system", actorEmail: null });
    expect(auditSentence(pruned).sentence).toBe("Warren removed 1,200 audit records older than 90 days, through record 1300");
    expect(auditSentence(record("future.thing"))).toEqual({ sentence: "admin@example.com: future.thing", family: "audit" });
  });
});
