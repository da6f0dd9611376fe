import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { auditKey, AuditKeyring, ChainVerifier, GENESIS_HASH, sealRecord, type SealedAuditRecord } from "@/lib/audit/audit-chain";

const key = auditKey(randomBytes(32));

/** `keys`: what seals each record (one key unless told). */
function chain(length: number, keys = new AuditKeyring(key)): SealedAuditRecord[] {
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
      keys.keyFor(seq),
    );
    records.push(record);
    prev = record.hash;
  }
  return records;
}

function firstProblem(records: SealedAuditRecord[], keys = new AuditKeyring(key)) {
  const verifier = new ChainVerifier(keys);
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
    expect(firstProblem(chain(3), new AuditKeyring(auditKey(randomBytes(32))))?.problem).toContain("edited");
  });
});

describe("audit chain across key rotations", () => {
  const [first, second, third] = [auditKey(randomBytes(32)), auditKey(randomBytes(32)), auditKey(randomBytes(32))];
  // Rotated twice: the first key sealed 1-4, the second 5-7, the third (current) 8 on.
  const rotated = new AuditKeyring(third, [
    { untilSeq: 8, key: second },
    { untilSeq: 5, key: first },
  ]);

  it("picks each record's key by the rotations around it", () => {
    expect([1, 4, 5, 7, 8, 100].map((seq) => rotated.keyFor(seq))).toEqual([first, first, second, second, third, third]);
    expect(new AuditKeyring(third).keyFor(1)).toBe(third);
  });

  it("verifies a chain sealed under several keys from its start", () => {
    expect(firstProblem(chain(10, rotated), rotated)).toBeNull();
  });

  it("refuses it with the current key alone, or a retired key moved to other records", () => {
    expect(firstProblem(chain(10, rotated), new AuditKeyring(third))?.seq).toBe(1);
    const moved = new AuditKeyring(third, [
      { untilSeq: 8, key: second },
      { untilSeq: 4, key: first },
    ]);
    expect(firstProblem(chain(10, rotated), moved)).toEqual({ seq: 4, problem: "record 4 was edited: its contents no longer match its seal" });
  });
});
