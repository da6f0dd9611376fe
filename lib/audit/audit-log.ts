// Appending to, reading and checking the audit trail. Appends are the only
// writes; they are serialised in this process and, across processes (the
// CLI, other Warren nodes), by an advisory lock on PostgreSQL and by the
// unique seq on SQLite: a writer that loses the race reads the new head and
// seals again. Each committed append moves
// the head anchor (audit-anchor.ts), which finds the newest records removed.
import path from "node:path";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { insertRows } from "@/lib/db/insert-rows";
import { ADVISORY_LOCK } from "@/lib/db/advisory-locks";
import { databaseProvider, getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { processGlobals } from "@/lib/process-globals";
import { ANCHOR_FILE, HeadAnchor, type ChainHead } from "@/lib/audit/audit-anchor";
import {
  auditKey,
  AuditKeyring,
  ChainVerifier,
  GENESIS_HASH,
  sealRecord,
  signCheckpoint,
  type ChainProblem,
  type SealedAuditRecord,
} from "@/lib/audit/audit-chain";
import { open } from "@/lib/crypto/secret-box";
import type { AuditAction } from "@/lib/audit/audit-actions";
import { ADMIN_ROOM } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { log } from "@/lib/log";

export type AuditInput = {
  action: AuditAction;
  hostId?: string | null;
  tunnelId?: string | null;
  subjectId?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
};

export type AuditRecordDto = Omit<SealedAuditRecord, "at" | "details"> & { at: string; details: Record<string, unknown> };

const MAX_ATTEMPTS = 8;

export function toAuditDto(record: SealedAuditRecord): AuditRecordDto {
  return { ...record, at: record.at.toISOString(), details: JSON.parse(record.details) as Record<string, unknown> };
}

function actorFields(ctx: Ctx) {
  const { actor } = ctx;
  return actor.type === "user" ? { actorType: "user", actorId: actor.id, actorEmail: actor.email } : { actorType: "system", actorId: null, actorEmail: null };
}

/** The anchor of this data directory's chain. */
export function headAnchor(): HeadAnchor {
  const { dataDir, secretKey } = getConfig();
  return new HeadAnchor(path.join(dataDir, ANCHOR_FILE), auditKey(secretKey));
}

/** The newest record, or where the chain starts when it has none. */
export async function chainHead(tx: Prisma.TransactionClient): Promise<ChainHead> {
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  if (last) return last;
  return (await tx.auditCheckpoint.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } })) ?? { seq: 0, hash: GENESIS_HASH };
}

/** Writes made in the same transaction as the records they are audited by. */
export type AlongsideAudit = (tx: Prisma.TransactionClient) => Promise<unknown>;

// Generous transaction limits: a database another process holds locked makes
// each statement wait (serial-adapter.ts), and Prisma's 5 s default would abort
// the transaction in the middle with an error no retry recognises.
export const TRANSACTION_LIMITS = { maxWait: 30_000, timeout: 60_000 };

/** An audit record's columns, in the order the chain seals them and the CSV export writes them. */
export const AUDIT_COLUMNS = [
  "seq",
  "at",
  "actorType",
  "actorId",
  "actorEmail",
  "actorIp",
  "userAgent",
  "action",
  "hostId",
  "tunnelId",
  "subjectId",
  "details",
  "prevHash",
  "hash",
] as const;

/** A change and the audit records that describe it, made in one transaction
 *  or not at all. The change runs first, so its records can name what it made
 *  (an id, a count); it may run again if another writer took the chain's next
 *  seq first, so it must do nothing outside `tx`. */
export type AuditedChange<T> = (tx: Prisma.TransactionClient) => Promise<{ result: T; audit: AuditInput | AuditInput[] }>;

/** On PostgreSQL, holds the chain for `tx` alone until it commits: several nodes write one chain. */
export async function lockChain(tx: Prisma.TransactionClient) {
  if (databaseProvider() === "postgresql") await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK.audit})`;
}

/** Seals `inputs` as one actor's records following `head`, under `key`, and inserts them. */
export async function appendRecords(tx: Prisma.TransactionClient, ctx: Ctx, inputs: AuditInput[], head: ChainHead, key: Buffer): Promise<SealedAuditRecord[]> {
  let prev = head;
  const sealed = inputs.map((input) => {
    const record = sealRecord(
      {
        seq: prev.seq + 1,
        at: input.at ?? new Date(),
        ...actorFields(ctx),
        actorIp: ctx.ip ?? null,
        userAgent: ctx.userAgent?.slice(0, 512) ?? null,
        action: input.action,
        hostId: input.hostId ?? null,
        tunnelId: input.tunnelId ?? null,
        subjectId: input.subjectId ?? null,
        details: JSON.stringify({ ...(ctx.actor.type === "system" ? { by: ctx.actor.name } : {}), ...input.details }),
      },
      prev.hash,
      key,
    );
    prev = record;
    return record;
  });
  await insertRows(tx, "AuditEvent", AUDIT_COLUMNS, sealed);
  return sealed;
}

async function appendOnce<T>(ctx: Ctx, change: AuditedChange<T>): Promise<{ result: T; sealed: SealedAuditRecord[] }> {
  const key = auditKey(getConfig().secretKey);
  return getPrisma().$transaction(async (tx) => {
    await lockChain(tx);
    const { result, audit } = await change(tx);
    const head = await chainHead(tx);
    const sealed = await appendRecords(tx, ctx, Array.isArray(audit) ? audit : [audit], head, key);
    if (sealed.length > 0) {
      // The insert took the write lock: `head` is the database's (see audit-anchor.ts).
      headAnchor().compact(head);
    }
    return { result, sealed };
  }, TRANSACTION_LIMITS);
}

/** The records are committed: a failure to anchor them is told, not thrown (the file lags, which verify tolerates). */
function anchorHead(head: ChainHead) {
  try {
    headAnchor().advance(head);
  } catch (error) {
    log().error(`could not record the audit chain's head (record ${head.seq}) in ${ANCHOR_FILE}: ${(error as Error).message}`);
  }
}

// Another writer took the chain's next seq, or held the database too long.
// A change's own unique violation (a taken name) is not a lost race: it is
// the change's answer, and running it again would only give it again.
const lostRace = (error: unknown) => {
  const text = String((error as { code?: unknown; message?: unknown })?.code ?? "") + String((error as Error)?.message ?? "");
  return /AuditEvent\.seq|AuditEvent_pkey|SQLITE_BUSY|database is locked|40001|40P01/i.test(text);
};

/** Makes `change` and seals the audit records it answers, as one actor, in
 *  one transaction (appends are serialised in this process); tells admins'
 *  browsers at once. Answers the change's result. */
export function audited<T>(ctx: Ctx, change: AuditedChange<T>): Promise<T> {
  const run = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, sealed } = await appendOnce(ctx, change);
        if (sealed.length > 0) {
          anchorHead(sealed.at(-1)!);
          publish([ADMIN_ROOM], "audit:new", { records: sealed.map(toAuditDto) });
          for (const notify of processGlobals.warrenAuditAppended ?? []) notify();
        }
        return result;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !lostRace(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
      }
    }
  };
  const queued = (processGlobals.warrenAuditQueue ?? Promise.resolve()).then(run, run);
  processGlobals.warrenAuditQueue = queued.catch(() => {});
  return queued;
}

/** Appends records in order, as one actor, committed together with
 *  `alongside` (the change they record) or not at all. */
export function recordAudit(ctx: Ctx, input: AuditInput | AuditInput[], alongside?: AlongsideAudit): Promise<void> {
  if (Array.isArray(input) && input.length === 0 && !alongside) return Promise.resolve();
  return audited(ctx, async (tx) => {
    await alongside?.(tx);
    return { result: undefined, audit: input };
  });
}

export type VerifyResult = { ok: true; checked: number; lastSeq: number } | { ok: false; checked: number; firstProblem: ChainProblem };

/** A broken chain in one line, as `audit verify` tells it. */
export const chainBrokenMessage = ({ firstProblem, checked }: Extract<VerifyResult, { ok: false }>) =>
  `audit chain broken at record ${firstProblem.seq}: ${firstProblem.problem} (${checked} records verified before it)`;

/** What a retired audit key (AuditKeyEpoch) is sealed as. */
export const RETIRED_AUDIT_KEY = "audit key";

/** A retired audit key, unsealed with `secretKey`; one that does not unseal names its rotation. */
function retiredKey(fromSeq: number, keySealed: string, secretKey: Buffer): Buffer {
  try {
    return Buffer.from(open(keySealed, RETIRED_AUDIT_KEY, secretKey), "hex");
  } catch {
    throw new Error(
      `the audit key that sealed the records before record ${fromSeq} does not open with this WARREN_SECRET_KEY: it is not the key Warren rotated to`,
    );
  }
}

/** The audit keys of this chain: the current one, from `secretKey`, and those rotations retired, unsealed with it. */
export async function auditKeyring(tx: Prisma.TransactionClient, secretKey: Buffer): Promise<AuditKeyring> {
  const epochs = await tx.auditKeyEpoch.findMany();
  return new AuditKeyring(
    auditKey(secretKey),
    epochs.map(({ fromSeq, keySealed }) => ({ untilSeq: fromSeq, key: retiredKey(fromSeq, keySealed, secretKey) })),
  );
}

const VERIFY_PAGE = 5_000;

/** Walks the whole chain from the genesis or the signed checkpoint, each
 *  record under the key that sealed it, then holds its head against the anchor. */
export async function verifyAuditChain(): Promise<VerifyResult> {
  const prisma = getPrisma();
  const keys = await auditKeyring(prisma, getConfig().secretKey);
  const checkpoint = await prisma.auditCheckpoint.findUnique({ where: { id: 1 } });
  if (checkpoint && signCheckpoint(checkpoint, keys.current) !== checkpoint.signature) {
    return { ok: false, checked: 0, firstProblem: { seq: checkpoint.seq, problem: "the retention checkpoint was altered: its signature does not match" } };
  }
  const start = checkpoint ?? { seq: 0, hash: GENESIS_HASH };
  const verifier = new ChainVerifier(keys, start);
  let after = start.seq;
  for (;;) {
    const page = await prisma.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: VERIFY_PAGE });
    for (const record of page) {
      const problem = verifier.check(record);
      if (problem) return { ok: false, checked: verifier.checked, firstProblem: problem };
    }
    if (page.length === VERIFY_PAGE) {
      after = page.at(-1)!.seq;
      continue;
    }
    const lastSeq = page.at(-1)?.seq ?? after;
    const problem = await anchorProblem(start, lastSeq);
    return problem ? { ok: false, checked: verifier.checked, firstProblem: problem } : { ok: true, checked: verifier.checked, lastSeq };
  }
}

/** What the anchor says the verified chain (from `start` to `lastSeq`) lacks:
 *  the newest records, all of them, or records rewritten since they were anchored.
 *  The database may be ahead of the anchor (a writer killed before it wrote the file). */
async function anchorProblem(start: ChainHead, lastSeq: number): Promise<ChainProblem | null> {
  const anchor = headAnchor();
  const heads = anchor.heads();
  const newest = heads.at(-1);
  if (!newest) {
    return lastSeq > start.seq || anchor.exists()
      ? {
          seq: lastSeq,
          problem: `the chain's head anchor (${ANCHOR_FILE} in the data directory) ${anchor.exists() ? "holds no sealed head" : "is missing"}: removed newest records could not be found`,
        }
      : null;
  }
  if (newest.seq > lastSeq) {
    const missing =
      newest.seq === lastSeq + 1 ? `record ${newest.seq}, the newest, is missing` : `records ${lastSeq + 1}-${newest.seq}, the newest, are missing`;
    return {
      seq: lastSeq + 1,
      problem: lastSeq === 0 ? `the database holds no records but the head anchor says ${newest.seq}` : `${missing} (the head anchor says ${newest.seq})`,
    };
  }
  const stored = await getPrisma().auditEvent.findMany({ where: { seq: { in: heads.map((head) => head.seq) } }, select: { seq: true, hash: true } });
  const hashes = new Map([[start.seq, start.hash], ...stored.map((record) => [record.seq, record.hash] as const)]);
  const rewritten = heads.find((head) => head.seq >= start.seq && hashes.get(head.seq) !== head.hash);
  return rewritten
    ? { seq: rewritten.seq, problem: `record ${rewritten.seq} is not the one the head anchor sealed: the chain was rewritten from there` }
    : null;
}

/** At start: a chain with records but no anchor (Warren upgraded, or the file
 *  removed) is anchored at its present head, and the chain itself says so. */
export async function ensureHeadAnchor(): Promise<void> {
  const anchor = headAnchor();
  if (anchor.newest()) return;
  const head = await getPrisma().auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } });
  if (!head) return;
  const reason = anchor.exists() ? `${ANCHOR_FILE} held no sealed head` : `${ANCHOR_FILE} was missing`;
  log().warn(`${reason}; the audit chain's head is anchored anew from record ${head.seq}`);
  await recordAudit({ actor: { type: "system", name: "audit" } }, { action: "audit.anchor_started", details: { fromSeq: head.seq, reason } });
}

/** Removes records older than the retention period behind a signed checkpoint, so the rest still verifies. */
export async function pruneAudit(retentionDays: number, now = new Date()): Promise<number> {
  if (retentionDays <= 0) return 0;
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const key = auditKey(getConfig().secretKey);
  // The checkpoint, the removal and the record that tells of them, together.
  return audited({ actor: { type: "system", name: "retention" } }, async (tx) => {
    const last = await tx.auditEvent.findFirst({ where: { at: { lt: cutoff } }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
    if (!last) return { result: 0, audit: [] };
    const signature = signCheckpoint(last, key);
    await tx.auditCheckpoint.upsert({
      where: { id: 1 },
      create: { id: 1, seq: last.seq, hash: last.hash, prunedAt: now, signature },
      update: { seq: last.seq, hash: last.hash, prunedAt: now, signature },
    });
    const removed = await tx.auditEvent.deleteMany({ where: { seq: { lte: last.seq } } });
    return { result: removed.count, audit: { action: "audit.pruned", details: { throughSeq: last.seq, removed: removed.count, retentionDays } } };
  });
}
