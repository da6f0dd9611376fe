// Appending to, reading and checking the audit trail. Appends are the only
// writes; they are serialised in this process and, across processes (the
// CLI, a second Warren), kept linear by the unique seq: a writer that loses
// the race reads the new head and seals again.
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { insertRows } from "@/lib/db/insert-rows";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { auditKey, ChainVerifier, GENESIS_HASH, sealRecord, signCheckpoint, type ChainProblem, type SealedAuditRecord } from "@/lib/audit/audit-chain";
import type { AuditAction } from "@/lib/audit/audit-actions";
import { ADMIN_ROOM } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";

export type AuditInput = {
  action: AuditAction;
  hostId?: string | null;
  tunnelId?: string | null;
  subjectId?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
};

export type AuditRecordDto = Omit<SealedAuditRecord, "at" | "details"> & { at: string; details: Record<string, unknown> };

type Globals = typeof globalThis & { warrenAuditQueue?: Promise<unknown> };
const globals = globalThis as Globals;

const MAX_ATTEMPTS = 8;

export function toAuditDto(record: SealedAuditRecord): AuditRecordDto {
  return { ...record, at: record.at.toISOString(), details: JSON.parse(record.details) as Record<string, unknown> };
}

function actorFields(ctx: Ctx) {
  const { actor } = ctx;
  return actor.type === "user"
    ? { actorType: "user", actorId: actor.id, actorEmail: actor.email }
    : { actorType: "system", actorId: null, actorEmail: null };
}

async function chainHead(tx: Prisma.TransactionClient): Promise<{ seq: number; hash: string }> {
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  if (last) return last;
  return (await tx.auditCheckpoint.findUnique({ where: { id: 1 }, select: { seq: true, hash: true } })) ?? { seq: 0, hash: GENESIS_HASH };
}

/** Writes made in the same transaction as the records they are audited by. */
export type AlongsideAudit = (tx: Prisma.TransactionClient) => Promise<unknown>;

// Generous transaction limits: a database another process holds locked makes
// each statement wait (busy timeout), and Prisma's 5 s default would abort
// the transaction in the middle with an error no retry recognises.
const TRANSACTION_LIMITS = { maxWait: 30_000, timeout: 60_000 };

const AUDIT_COLUMNS = ["seq", "at", "actorType", "actorId", "actorEmail", "actorIp", "userAgent", "action", "hostId", "tunnelId", "subjectId", "details", "prevHash", "hash"] as const;

async function appendOnce(ctx: Ctx, inputs: AuditInput[], alongside?: AlongsideAudit): Promise<SealedAuditRecord[]> {
  const key = auditKey(getConfig().secretKey);
  return getPrisma().$transaction(async (tx) => {
    let head = await chainHead(tx);
    const sealed = inputs.map((input) => {
      const record = sealRecord(
        {
          seq: head.seq + 1,
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
        head.hash,
        key,
      );
      head = record;
      return record;
    });
    await insertRows(tx, "AuditEvent", AUDIT_COLUMNS, sealed);
    await alongside?.(tx);
    return sealed;
  }, TRANSACTION_LIMITS);
}

const lostRace = (error: unknown) => {
  const text = String((error as { code?: unknown; message?: unknown })?.code ?? "") + String((error as Error)?.message ?? "");
  return /P2002|UNIQUE|SQLITE_BUSY|database is locked/i.test(text);
};

/** Appends records in order, as one actor, committed together with
 *  `alongside` (the change they record) or not at all; tells admins' browsers at once. */
export function recordAudit(ctx: Ctx, input: AuditInput | AuditInput[], alongside?: AlongsideAudit): Promise<void> {
  const inputs = Array.isArray(input) ? input : [input];
  if (inputs.length === 0 && !alongside) return Promise.resolve();
  const run = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        const sealed = await appendOnce(ctx, inputs, alongside);
        if (sealed.length > 0) publish([ADMIN_ROOM], "audit:new", { records: sealed.map(toAuditDto) });
        return;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !lostRace(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
      }
    }
  };
  const queued = (globals.warrenAuditQueue ?? Promise.resolve()).then(run, run);
  globals.warrenAuditQueue = queued.catch(() => {});
  return queued;
}

export type VerifyResult = { ok: true; checked: number; lastSeq: number } | { ok: false; checked: number; firstProblem: ChainProblem };

const VERIFY_PAGE = 5_000;

/** Walks the whole chain from the genesis or the signed checkpoint. */
export async function verifyAuditChain(): Promise<VerifyResult> {
  const prisma = getPrisma();
  const key = auditKey(getConfig().secretKey);
  const checkpoint = await prisma.auditCheckpoint.findUnique({ where: { id: 1 } });
  if (checkpoint && signCheckpoint(checkpoint, key) !== checkpoint.signature) {
    return { ok: false, checked: 0, firstProblem: { seq: checkpoint.seq, problem: "the retention checkpoint was altered: its signature does not match" } };
  }
  const verifier = new ChainVerifier(key, checkpoint ?? undefined);
  let after = checkpoint?.seq ?? 0;
  for (;;) {
    const page = await prisma.auditEvent.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: VERIFY_PAGE });
    for (const record of page) {
      const problem = verifier.check(record);
      if (problem) return { ok: false, checked: verifier.checked, firstProblem: problem };
    }
    if (page.length < VERIFY_PAGE) return { ok: true, checked: verifier.checked, lastSeq: page.at(-1)?.seq ?? after };
    after = page.at(-1)!.seq;
  }
}

/** Removes records older than the retention period behind a signed checkpoint, so the rest still verifies. */
export async function pruneAudit(retentionDays: number, now = new Date()): Promise<number> {
  if (retentionDays <= 0) return 0;
  const prisma = getPrisma();
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const last = await prisma.auditEvent.findFirst({ where: { at: { lt: cutoff } }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  if (!last) return 0;
  const signature = signCheckpoint(last, auditKey(getConfig().secretKey));
  const [, removed] = await prisma.$transaction([
    prisma.auditCheckpoint.upsert({
      where: { id: 1 },
      create: { id: 1, seq: last.seq, hash: last.hash, prunedAt: now, signature },
      update: { seq: last.seq, hash: last.hash, prunedAt: now, signature },
    }),
    prisma.auditEvent.deleteMany({ where: { seq: { lte: last.seq } } }),
  ]);
  await recordAudit({ actor: { type: "system", name: "retention" } }, { action: "audit.pruned", details: { throughSeq: last.seq, removed: removed.count, retentionDays } });
  return removed.count;
}
