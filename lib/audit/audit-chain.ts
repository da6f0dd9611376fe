// The audit chain's arithmetic, free of the database: how a record is
// sealed, and how a sequence of records is checked. Each record's hash is an
// HMAC-SHA256, keyed from WARREN_SECRET_KEY, over its fields and the previous
// record's hash. A plain hash would let anyone with write access to the
// database re-seal an edited chain; the key keeps that to whoever holds it.
// A rotated key goes on sealing the records it sealed (AuditKeyring).
import { createHmac, hkdfSync } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export type AuditFields = {
  seq: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  actorEmail: string | null;
  actorIp: string | null;
  userAgent: string | null;
  action: string;
  hostId: string | null;
  tunnelId: string | null;
  subjectId: string | null;
  details: string;
};

export type SealedAuditRecord = AuditFields & { prevHash: string; hash: string };

export function auditKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), "warren audit chain v1", 32));
}

/** Field order is fixed here, so the hash never depends on object key order. */
function canonical(fields: AuditFields, prevHash: string): string {
  return JSON.stringify([
    fields.seq,
    fields.at.toISOString(),
    fields.actorType,
    fields.actorId,
    fields.actorEmail,
    fields.actorIp,
    fields.userAgent,
    fields.action,
    fields.hostId,
    fields.tunnelId,
    fields.subjectId,
    fields.details,
    prevHash,
  ]);
}

export function sealRecord(fields: AuditFields, prevHash: string, key: Buffer): SealedAuditRecord {
  const hash = createHmac("sha256", key).update(canonical(fields, prevHash)).digest("hex");
  return { ...fields, prevHash, hash };
}

export function signCheckpoint(checkpoint: { seq: number; hash: string }, key: Buffer): string {
  return createHmac("sha256", key).update(`checkpoint:${checkpoint.seq}:${checkpoint.hash}`).digest("hex");
}

/** A key `warren rotate-secret` retired: it sealed the records before `untilSeq`. */
export type RetiredAuditKey = { untilSeq: number; key: Buffer };

/** The keys a chain was sealed with: each retired key the records up to its
 *  rotation (after the one before), the current key the rest. */
export class AuditKeyring {
  private readonly retired: RetiredAuditKey[];

  constructor(
    readonly current: Buffer,
    retired: RetiredAuditKey[] = [],
  ) {
    this.retired = [...retired].sort((a, b) => a.untilSeq - b.untilSeq);
  }

  keyFor(seq: number): Buffer {
    return this.retired.find((retired) => seq < retired.untilSeq)?.key ?? this.current;
  }
}

export type ChainProblem = { seq: number; problem: string };

/** Walks records in seq order from a starting point (genesis or checkpoint);
 *  returns the first problem, naming the record where the chain breaks. */
export class ChainVerifier {
  private expectedSeq: number;
  private expectedPrev: string;
  checked = 0;

  constructor(
    private readonly keys: AuditKeyring,
    start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
  ) {
    this.expectedSeq = start.seq + 1;
    this.expectedPrev = start.hash;
  }

  check(record: SealedAuditRecord): ChainProblem | null {
    const { seq } = record;
    if (seq !== this.expectedSeq) {
      return seq > this.expectedSeq
        ? { seq: this.expectedSeq, problem: `record ${this.expectedSeq}${seq - this.expectedSeq > 1 ? `-${seq - 1}` : ""} is missing (removed)` }
        : { seq, problem: `record ${seq} is out of order (reordered or duplicated)` };
    }
    if (record.prevHash !== this.expectedPrev) {
      return { seq, problem: `record ${seq} does not follow record ${seq - 1} (removed, reordered or edited)` };
    }
    if (sealRecord(record, record.prevHash, this.keys.keyFor(seq)).hash !== record.hash) {
      return { seq, problem: `record ${seq} was edited: its contents no longer match its seal` };
    }
    this.expectedSeq = seq + 1;
    this.expectedPrev = record.hash;
    this.checked += 1;
    return null;
  }
}
