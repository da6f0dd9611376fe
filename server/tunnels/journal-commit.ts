// The engine's journal (engine-journal.ts) into the database: connection
// records, their audit records and the counters, a slice per transaction.
import { messageOf } from "@/lib/describe-failure";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { recordAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { systemCtx } from "@/lib/context";
import { insertRows } from "@/lib/db/insert-rows";
import { getPrisma } from "@/lib/db/prisma";
import { ENGINE_JOURNAL_FILE } from "@/lib/tunnels/engine-port";
import { raiseCounters } from "@/lib/tunnels/tunnel-counters";
import { connectionAudit } from "@/server/tunnels/connection-audit";
import type { ConnectionRecord, TunnelCounters } from "@/server/tunnels/data-plane-protocol";
import { EngineJournal, journalKey, type JournalEntry, type JournalRejection } from "@/server/tunnels/engine-journal";
import { log } from "@/lib/log";

/** Refused journal lines named in their audit record; the count covers all. */
const REJECTIONS_NAMED = 20;
/** Journal entries per transaction (see commitPending). */
export const COMMIT_SLICE = 1000;
const CONNECTION_COLUMNS = ["id", "tunnelId", "source", "destination", "bytesIn", "bytesOut", "openedAt", "closedAt", "error", "via", "userId"] as const;
const engineCtx = systemCtx("engine");
/** The mark from before nodes had names (the migration that named them kept it under ""). */
const LEGACY_MARK = "";

/** The journal in the data directory and its commits, one at a time. */
export class JournalCommit {
  readonly journal: EngineJournal;
  private loaded: Promise<void> | undefined;
  /** Commits run one at a time; `queued` keeps ticks from piling them up while the database is slow. */
  private committing: Promise<void> = Promise.resolve();
  private queued = false;

  constructor() {
    const { dataDir, secretKey } = getConfig();
    this.journal = new EngineJournal(path.join(dataDir, ENGINE_JOURNAL_FILE), journalKey(secretKey));
  }

  /** Loads what a killed run left (once), from the mark of what the database
   *  already has: this node's, or the one from before nodes had names. */
  ready(): Promise<void> {
    this.loaded ??= getPrisma()
      .engineJournalMark.findMany({ where: { nodeName: { in: [getConfig().node.name, LEGACY_MARK] } } })
      .then((marks) => {
        const mark = marks.find((one) => one.nodeName !== LEGACY_MARK) ?? marks[0];
        return reportRejected(this.journal.load(mark?.seq ?? 0));
      });
    return this.loaded;
  }

  /** Commits what is pending and closes the file, if it was ever loaded. */
  async close() {
    if (!this.loaded) return;
    await this.commit();
    this.journal.close();
  }

  /** Commits the journal's pending entries; one commit at a time, and at most one more waiting behind it. */
  commit(): Promise<void> {
    if (!this.queued) {
      this.queued = true;
      this.committing = this.committing.then(() => {
        this.queued = false;
        return this.commitPending();
      });
    }
    return this.committing;
  }

  /** Commits the pending entries a slice at a time: SQLite has one writer, so
   *  every other query (a page, /health) waits for a whole transaction; one
   *  second of 200 busy tunnels in one go held them up to 1.7 s. */
  private async commitPending() {
    if (!this.loaded) return; // nothing is journaled before the journal is loaded
    await this.loaded;
    // What arrives meanwhile waits for the next commit, so a close waiting on this one is not kept waiting by new traffic.
    const end = this.journal.lastSeq;
    for (;;) {
      const slice = this.journal.pending(COMMIT_SLICE).filter((entry) => entry.seq <= end);
      if (slice.length === 0 || !(await this.commitSlice(slice))) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** A slice that fails (the database locked for longer than every retry) stays in the journal for the next tick. */
  async commitSlice(batch: readonly JournalEntry[]): Promise<boolean> {
    const through = batch.at(-1)!.seq;
    try {
      await recordAudit(engineCtx, connectionAudit(batch), async (tx) => {
        const records = batch.flatMap((entry) => (entry.type === "connection" || entry.type === "closed" ? [entry.record] : []));
        const counters = latestCounters(batch);
        // A tunnel deleted meanwhile (its owner was) takes its rows with it.
        const tunnelIds = [...new Set([...records.map((record) => record.tunnelId), ...counters.keys()])];
        const existing = new Set((await tx.tunnel.findMany({ where: { id: { in: tunnelIds } }, select: { id: true } })).map((tunnel) => tunnel.id));
        const rows = records.filter((record) => existing.has(record.tunnelId)).map(connectionRow);
        await insertRows(tx, "TunnelConnection", CONNECTION_COLUMNS, rows);
        await raiseCounters(
          tx,
          [...counters].filter(([id]) => existing.has(id)),
        );
        const nodeName = getConfig().node.name;
        await tx.engineJournalMark.upsert({ where: { nodeName }, create: { nodeName, seq: through }, update: { seq: through } });
        await tx.engineJournalMark.deleteMany({ where: { nodeName: LEGACY_MARK } });
      });
      this.journal.committed(through);
      return true;
    } catch (error) {
      log().error(`committing ${batch.length} journal entries failed, kept for the next attempt: ${messageOf(error)}`);
      return false;
    }
  }
}

/** Journal lines whose seal failed were written by someone without the key: tell the admins and the log. */
async function reportRejected(rejected: JournalRejection[]) {
  if (rejected.length === 0) return;
  const named = rejected.slice(0, REJECTIONS_NAMED);
  const lines = named.map(({ line, reason }) => `line ${line}: ${reason}`).join("; ");
  log().error(
    `refused ${rejected.length} line(s) of ${ENGINE_JOURNAL_FILE} written without Warren's key (${lines}${rejected.length > named.length ? "; …" : ""}); nothing in them was committed; they are kept in ${ENGINE_JOURNAL_FILE}.rejected`,
  );
  // Not fatal: the engine starts either way, and the log line stays.
  await recordAudit(engineCtx, { action: "audit.journal_rejected", details: { file: ENGINE_JOURNAL_FILE, rejected: rejected.length, lines: named } }).catch(
    (error: unknown) => log().error(`auditing the refused journal lines failed: ${messageOf(error)}`),
  );
}

/** A record as its row: one carried by `warren connect` names the person. */
function connectionRow({ id, via, ...record }: ConnectionRecord) {
  return { id: id ?? randomUUID(), ...record, via: via?.by ?? null, userId: via?.userId ?? null };
}

/** Each tunnel's most recent totals in the batch. */
function latestCounters(batch: readonly JournalEntry[]): Map<string, TunnelCounters> {
  const latest = new Map<string, TunnelCounters>();
  for (const entry of batch) {
    for (const [id, counters] of Object.entries(entry.counters ?? {})) latest.set(id, counters);
  }
  return latest;
}
