import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { auditKey, ChainVerifier, GENESIS_HASH, sealRecord, type SealedAuditRecord } from "@/lib/audit/audit-chain";

const key = auditKey(randomBytes(32));

function chain(length: number): SealedAuditRecord[] {
  const records: SealedAuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const record = sealRecord(
      {
        seq,
        at: new Date(Date.UTC(2026, 10, 25, 0, 0, seq)),
        actorType: "user",
        actorId: "u1",
        actorEmail: "alice@example.com",
        actorIp: "10.0.0.1",
        userAgent: null,
        action: "tunnel.opened",
        hostId: "h1",
        tunnelId: `t${seq}`,
        subjectId: null,
        details: JSON.stringify({ bytesIn: seq * 100 }),
      },
      prev,
      key,
    );
    records.push(record);
    prev = record.hash;
  }
  return records;
}

function firstProblem(records: SealedAuditRecord[], verifierKey = key) {
  const verifier = new ChainVerifier(verifierKey);
  for (const record of records) {
    const problem = verifier.check(record);
    if (problem) return problem;
  }
  return null;
}

describe("audit chain", () => {
  it("verifies an untouched chain", () => {
    expect(firstProblem(chain(20))).toBeNull();
  });

  it("detects an edited record, naming it", () => {
    const records = chain(10);
    records[4] = { ...records[4]!, details: JSON.stringify({ bytesIn: 1 }) };
    expect(firstProblem(records)).toEqual({ seq: 5, problem: "record 5 was edited: its contents no longer match its seal" });
  });

  it("detects an edit re-sealed without the key", () => {
    const records = chain(10);
    const forged = sealRecord({ ...records[4]!, actorEmail: "mallory@example.com" }, records[4]!.prevHash, auditKey(randomBytes(32)));
    records[4] = forged;
    expect(firstProblem(records)?.seq).toBe(5);
  });

  it("detects a removed record", () => {
    const records = chain(10);
    records.splice(3, 1);
    expect(firstProblem(records)).toEqual({ seq: 4, problem: "record 4 is missing (removed)" });
  });

  it("detects a removed record whose successors were renumbered", () => {
    const records = chain(10);
    records.splice(3, 1);
    const renumbered = records.map((record, index) => ({ ...record, seq: index + 1 }));
    expect(firstProblem(renumbered)?.seq).toBe(4);
  });

  it("detects reordered records (seq numbers swapped)", () => {
    const records = chain(10);
    const [seventh, eighth] = [records[6]!, records[7]!];
    records[6] = { ...eighth, seq: 7 };
    records[7] = { ...seventh, seq: 8 };
    expect(firstProblem(records)).toEqual({ seq: 7, problem: "record 7 does not follow record 6 (removed, reordered or edited)" });
  });

  it("refuses a chain checked with another key", () => {
    expect(firstProblem(chain(3), auditKey(randomBytes(32)))?.problem).toContain("edited");
  });
});
