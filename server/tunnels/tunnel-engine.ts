// The tunnel engine: reconciles the database's desired state into open
// tunnels, shares one SSH link per host, persists status changes (with their
// reasons), counters and connection records, and tells listeners about them.
// Connection records, their audit records and counters go through a journal
// on disk first (engine-journal.ts), so a killed Warren loses none of them.
// The bytes themselves flow in the data plane's thread (data-plane.ts).
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import path from "node:path";
import { tunnelStatusAction } from "@/lib/audit/audit-actions";
import { recordAudit, type AuditInput } from "@/lib/audit/audit-log";
import { expireStaleRequests } from "@/lib/tunnels/approvals";
import { getConfig } from "@/lib/config";
import { systemCtx, type Ctx } from "@/lib/context";
import { insertRows } from "@/lib/db/insert-rows";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import { TunnelOpenError, type LiveStats, type TunnelEngineApi } from "@/lib/tunnels/engine-port";
import { hostPolicy } from "@/lib/tunnels/host-policy";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import type { HostPolicy } from "@/lib/validation/host-policy";
import { dropDisabledParticipants } from "@/lib/tunnels/tunnel-sharing";
import { DataPlane } from "@/server/tunnels/data-plane";
import type { DataPlaneEvent } from "@/server/tunnels/data-plane-protocol";
import { EngineJournal, journalKey, type JournalEntry, type JournalEvent, type JournalRejection, type TunnelCounters } from "@/server/tunnels/engine-journal";
import { HostLink, type BackoffOptions } from "@/server/tunnels/host-link";
import type { ConnectionRecord, RuntimeTunnel } from "@/server/tunnels/tunnel-runtime";

/** `ownerId` and `teamId` say who may hear of it. */
export type StatusEvent = { tunnelId: string; ownerId: string; teamId: string | null; status: TunnelStatus; reason: string | null; at: string };
export type StatsEvent = { tunnelId: string; ownerId: string; teamId: string | null } & LiveStats;

/** `stats`: every tunnel whose counters moved since the last tick, in one go. */
type EngineEvents = { status: [StatusEvent]; stats: [StatsEvent[]] };

export type EngineOptions = { backoff?: BackoffOptions; statsIntervalMs?: number; ownerCheckEveryTicks?: number };

const MAX_TIMER_MS = 2 ** 31 - 1;
const JOURNAL_FILE = "engine-journal.jsonl";
/** Refused journal lines named in their audit record; the count covers all. */
const REJECTIONS_NAMED = 20;
/** Journal entries per transaction (see commitPending). */
const COMMIT_SLICE = 200;
const engineCtx = systemCtx("engine");

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An open tunnel as the engine knows it; `stats` mirrors the data plane's counters. */
type OpenTunnel = { tunnel: RuntimeTunnel; stats: LiveStats };

export class TunnelEngine extends EventEmitter<EngineEvents> implements TunnelEngineApi {
  private readonly links = new Map<string, HostLink>();
  private readonly tunnels = new Map<string, OpenTunnel>();
  private plane = this.startPlane();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly lastStats = new Map<string, string>();
  private readonly journal: EngineJournal;
  private journalLoaded: Promise<void> | undefined;
  /** Commits run one at a time; `commitQueued` keeps ticks from piling them up while the database is slow. */
  private committing: Promise<void> = Promise.resolve();
  private commitQueued = false;
  private ticker: NodeJS.Timeout | undefined;
  private ticks = 0;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: EngineOptions = {}) {
    super();
    this.backoff = options.backoff ?? { baseMs: 1_000, maxMs: 30_000 };
    const { dataDir, secretKey } = getConfig();
    this.journal = new EngineJournal(path.join(dataDir, JOURNAL_FILE), journalKey(secretKey));
  }

  /** Commits what a killed run left in the journal, re-opens every tunnel that
   *  should be open, and expires the ones whose time ran out. */
  async start() {
    await this.journalReady();
    await this.commitJournal();
    // Users disabled while Warren was stopped are let in by nothing it reopens.
    await dropDisabledParticipants(engineCtx).catch((error: unknown) => console.error("warren: removing disabled users from shared tunnels failed:", reasonOf(error)));
    this.ticker = setInterval(() => void this.tick(), this.options.statsIntervalMs ?? 1_000);
    this.ticker.unref();
    const prisma = getPrisma();
    const wanted = await prisma.tunnel.findMany({ where: { status: { in: OPEN_STATUSES } }, select: { id: true, expiresAt: true } });
    const now = Date.now();
    await Promise.allSettled(
      wanted.map(async (tunnel) => {
        if (tunnel.expiresAt.getTime() <= now) return this.persistStatus(tunnel.id, "expired", "expired while Warren was stopped");
        await this.persistStatus(tunnel.id, "starting", "Warren restarted: reopening");
        return this.openTunnel(tunnel.id, { fresh: false }).catch((error: unknown) => this.persistStatus(tunnel.id, "failed", reasonOf(error)));
      }),
    );
  }

  open(tunnelId: string): Promise<void> {
    return this.openTunnel(tunnelId, { fresh: true });
  }

  openApproved(tunnelId: string): Promise<void> {
    return this.openTunnel(tunnelId, { fresh: false }).catch((error: unknown) => this.persistStatus(tunnelId, "failed", reasonOf(error)));
  }

  transition(tunnelId: string, status: TunnelStatus, reason: string, ctx: Ctx): Promise<void> {
    return this.persistStatus(tunnelId, status, reason, ctx);
  }

  async reconfigure(tunnelId: string, { allowedSources, teamId, policy }: { allowedSources?: string[]; teamId?: string | null; policy?: HostPolicy }) {
    const open = this.tunnels.get(tunnelId);
    if (!open) return undefined;
    if (teamId !== undefined) open.tunnel.teamId = teamId;
    if (allowedSources) {
      open.tunnel.allowedSources = allowedSources;
      await this.plane.call("setAllowedSources", { tunnelId, sources: allowedSources });
    }
    if (!policy) return undefined;
    open.tunnel.policy = policy;
    return this.plane.call("setPolicy", { tunnelId, policy });
  }

  /** `fresh`: a new request, whose refusal by the SSH server its caller answers
   *  (nothing is left behind); otherwise a refusal marks the tunnel failed. */
  private async openTunnel(tunnelId: string, { fresh }: { fresh: boolean }): Promise<void> {
    await this.journalReady();
    const tunnel = await getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnelId }, include: { host: true } });
    const open: OpenTunnel = {
      tunnel: {
        id: tunnel.id,
        kind: tunnel.kind,
        ownerId: tunnel.ownerId,
        teamId: tunnel.teamId,
        hostId: tunnel.hostId,
        hostName: tunnel.host.name,
        hostAddress: tunnel.host.address,
        listenAddress: tunnel.listenAddress,
        listenPort: tunnel.listenPort,
        targetHost: tunnel.targetHost,
        targetPort: tunnel.targetPort,
        allowedSources: tunnelSpec(tunnel).allowedSources,
        policy: hostPolicy(tunnel.host),
        expiresAt: tunnel.expiresAt,
      },
      stats: { bytesIn: Number(tunnel.bytesIn), bytesOut: Number(tunnel.bytesOut), connections: 0, connectionsTotal: tunnel.connectionsTotal },
    };
    const { bytesIn, bytesOut, connectionsTotal } = open.stats;
    // A port taken here rejects before anything is registered.
    await this.plane.call("listen", { tunnel: open.tunnel, counters: { bytesIn, bytesOut, connectionsTotal } });
    this.tunnels.set(tunnelId, open);
    this.armExpiry(open.tunnel);
    const link = this.link(tunnel.hostId);
    try {
      const warning = await this.plane.call("attach", { tunnelId, linkId: await link.ensure() });
      await this.persistStatus(tunnelId, "active", warning ?? null);
    } catch (error) {
      await this.drop(tunnelId);
      if (fresh && error instanceof TunnelOpenError) throw error;
      await this.persistStatus(tunnelId, "failed", reasonOf(error));
    }
  }

  /** Connection records, refusals, their audit records and counters, as the
   *  data plane reports them: one journal write for each message it sends. */
  private onPlaneEvents(events: DataPlaneEvent[]) {
    const entries = events.flatMap((event) => this.journalEntriesOf(event));
    if (entries.length > 0) this.journal.append(...entries);
  }

  private journalEntriesOf(event: DataPlaneEvent): JournalEvent[] {
    if (event.event === "link-closed") return []; // the host's link hears of it
    if (event.event === "stats") {
      for (const [tunnelId, stats] of event.tunnels) this.mirror(tunnelId, stats);
      return [];
    }
    const tunnelId = event.event === "closed" ? event.record.tunnelId : event.tunnelId;
    const auditIds = { hostId: event.hostId, tunnelId };
    if (event.event === "refused") {
      const { source, destination, reason } = event;
      return [
        { type: "connection", record: refusedRecord(tunnelId, source, destination, reason) },
        { type: "audit", input: { action: "connection.refused", ...auditIds, at: new Date(), details: { source, destination, reason } } },
      ];
    }
    if (event.event === "refused-many") {
      const { address, reason, count, first, last } = event;
      const error = `refused ${count.toLocaleString("en-US")} connections from ${address} (counted, not recorded one by one): ${reason}`;
      return [
        { type: "connection", record: { tunnelId, source: address, destination: null, bytesIn: 0, bytesOut: 0, openedAt: first, closedAt: last, error } },
        {
          type: "audit",
          input: { action: "connection.refused_many", ...auditIds, at: last, details: { source: address, count, first: first.toISOString(), last: last.toISOString(), reason } },
        },
      ];
    }
    this.mirror(tunnelId, event.stats);
    const counters = countersOf([[tunnelId, event.stats]]);
    if (event.event === "opened") {
      const { source, destination } = event;
      return [{ type: "audit", input: { action: "connection.accepted", ...auditIds, at: new Date(), details: { source, destination } }, counters }];
    }
    return [
      { type: "connection", record: event.record },
      { type: "audit", input: { action: "connection.closed", ...auditIds, at: event.record.closedAt, details: connectionDetails(event.record) }, counters },
    ];
  }

  private mirror(tunnelId: string, stats: LiveStats) {
    const open = this.tunnels.get(tunnelId);
    if (open) open.stats = stats;
  }

  /** The tunnel's final counters commit with its status. Its last connections'
   *  records, now in the journal, go first into the audit chain when the
   *  journal is up to date; when it is behind (a burst of connections), the
   *  close does not wait for the backlog and they follow it: under the load
   *  bench that wait was 3.6–3.9 s for a median close and up to 30 s. */
  async close(tunnelId: string, { status, reason, ctx }: { status: "closed" | "expired"; reason: string; ctx?: Ctx }) {
    const counters = await this.drop(tunnelId);
    if (this.journal.backlog <= COMMIT_SLICE) await this.commitJournal();
    await this.persistStatus(tunnelId, status, reason, ctx, counters);
  }

  extend(tunnelId: string, expiresAt: Date) {
    const open = this.tunnels.get(tunnelId);
    if (!open) return;
    clearTimeout(this.expiryTimers.get(tunnelId));
    open.tunnel.expiresAt = expiresAt;
    this.armExpiry(open.tunnel);
  }

  live(tunnelId: string): LiveStats | undefined {
    const open = this.tunnels.get(tunnelId);
    return open && { ...open.stats };
  }

  /** Drains: closes listeners and channels, persists counters and records. Statuses stay as they are, so the next start reopens. */
  async stop() {
    clearInterval(this.ticker);
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    await Promise.all([...this.tunnels.keys()].map((tunnelId) => this.teardown(tunnelId)));
    if (this.journalLoaded) {
      await this.commitJournal();
      this.journal.close();
    }
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.tunnels.clear();
    await this.plane.stop();
  }

  private startPlane(): DataPlane {
    const plane = new DataPlane({ refusalSummaryMs: getConfig().refusalSummarySeconds * 1000 });
    plane.on("events", (events) => this.onPlaneEvents(events));
    plane.on("exit", (reason) => void this.planeLost(reason));
    return plane;
  }

  /** The data plane's thread died (a bug there, or out of memory), and its
   *  connections with it: a new one takes over, and every tunnel reopens as after a restart. */
  private async planeLost(reason: string) {
    console.error(`warren: ${reason}; reopening its tunnels`);
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.plane = this.startPlane();
    const lost = [...this.tunnels];
    this.journalCounters(lost.map(([id, open]) => [id, open.stats]));
    for (const [tunnelId] of lost) this.forget(tunnelId);
    await Promise.allSettled(
      lost.map(async ([tunnelId]) => {
        // "starting", as after a restart: a link's "ready" reattaches only "reconnecting" tunnels, and this one reopens whole.
        await this.persistStatus(tunnelId, "starting", `${reason}: reopening`);
        await this.openApproved(tunnelId);
      }),
    );
  }

  private link(hostId: string): HostLink {
    const existing = this.links.get(hostId);
    if (existing) return existing;
    const link = new HostLink(hostId, this.backoff, this.plane);
    link.on("ready", (linkId) => void this.linkReady(hostId, linkId));
    link.on("down", (reason) => void this.linkDown(hostId, reason));
    link.on("failed", (reason) => void this.linkFailed(hostId, reason));
    this.links.set(hostId, link);
    return link;
  }

  private tunnelsOf(hostId: string): string[] {
    return [...this.tunnels].filter(([, open]) => open.tunnel.hostId === hostId).map(([id]) => id);
  }

  private async linkReady(hostId: string, linkId: string) {
    await Promise.all(
      this.tunnelsOf(hostId).map(async (tunnelId) => {
        const status = await this.currentStatus(tunnelId);
        if (status !== "reconnecting") return; // a new tunnel attaches itself in open()
        try {
          const warning = await this.plane.call("attach", { tunnelId, linkId });
          await this.persistStatus(tunnelId, "active", warning ?? `reconnected to ${this.tunnels.get(tunnelId)?.tunnel.hostName}`);
        } catch (error) {
          await this.drop(tunnelId);
          await this.persistStatus(tunnelId, "failed", reasonOf(error));
        }
      }),
    );
  }

  private async linkDown(hostId: string, reason: string) {
    for (const tunnelId of this.tunnelsOf(hostId)) {
      await this.plane.call("detach", { tunnelId });
      await this.persistStatus(tunnelId, "reconnecting", reason);
    }
  }

  private async linkFailed(hostId: string, reason: string) {
    for (const tunnelId of this.tunnelsOf(hostId)) {
      await this.drop(tunnelId);
      await this.persistStatus(tunnelId, "failed", reason);
    }
  }

  /** Stops a tunnel and forgets it; the host's link goes when its last tunnel does. Answers its final counters. */
  private async drop(tunnelId: string): Promise<LiveStats | undefined> {
    const open = this.tunnels.get(tunnelId);
    this.forget(tunnelId);
    if (!open) return undefined;
    const counters = await this.teardown(tunnelId);
    const { hostId } = open.tunnel;
    if (this.tunnelsOf(hostId).length === 0) {
      this.links.get(hostId)?.close();
      this.links.delete(hostId);
    }
    return counters;
  }

  private forget(tunnelId: string) {
    clearTimeout(this.expiryTimers.get(tunnelId));
    this.expiryTimers.delete(tunnelId);
    this.tunnels.delete(tunnelId);
    this.lastStats.delete(tunnelId);
  }

  /** Closes the tunnel in the data plane and journals its final counters (its records arrived before the answer). */
  private async teardown(tunnelId: string): Promise<LiveStats | undefined> {
    const stats = await this.plane.call("teardown", { tunnelId }).catch(() => undefined);
    if (stats) this.journalCounters([[tunnelId, stats]]);
    return stats;
  }

  private armExpiry(tunnel: RuntimeTunnel) {
    const wait = tunnel.expiresAt.getTime() - Date.now();
    const timer = setTimeout(
      () => {
        if (wait > MAX_TIMER_MS) return this.armExpiry(tunnel);
        void this.close(tunnel.id, { status: "expired", reason: `expired at ${tunnel.expiresAt.toISOString()}` });
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    timer.unref();
    this.expiryTimers.set(tunnel.id, timer);
  }

  private async currentStatus(tunnelId: string) {
    return (await getPrisma().tunnel.findUnique({ where: { id: tunnelId }, select: { status: true } }))?.status;
  }

  /** The status, its history entry and its audit record commit together, so a kill cannot leave one without the others;
   *  `counters`, a closed tunnel's final ones, with them. */
  private async persistStatus(tunnelId: string, status: TunnelStatus, reason: string | null, ctx: Ctx = engineCtx, counters?: TunnelCounters) {
    const terminal = !OPEN_STATUSES.includes(status);
    const tunnel = await getPrisma().tunnel.findUnique({ where: { id: tunnelId }, select: { ownerId: true, teamId: true, hostId: true, status: true, statusReason: true } });
    if (!tunnel || (tunnel.status === status && tunnel.statusReason === reason)) return;
    const at = new Date();
    const action = tunnelStatusAction(status);
    const audit = action && tunnel.status !== status ? [{ action, hostId: tunnel.hostId, tunnelId, at, details: { reason, from: tunnel.status } }] : [];
    await recordAudit(ctx, audit, async (tx) => {
      await tx.tunnel.update({ where: { id: tunnelId }, data: { status, statusReason: reason, ...(terminal ? { closedAt: at } : {}) } });
      if (counters) await updateCounters(tx, [[tunnelId, counters]]);
      await tx.tunnelEvent.create({ data: { tunnelId, status, reason, at } });
    });
    this.emit("status", { tunnelId, ownerId: tunnel.ownerId, teamId: tunnel.teamId, status, reason, at: at.toISOString() });
  }

  /** A user disabled anywhere (even by the CLI, in another process) loses their tunnels here within seconds
   *  (and the tunnels they joined: `dropDisabledParticipants`, from `tick`). */
  private async closeTunnelsOfDisabledOwners() {
    if (this.tunnels.size === 0) return;
    const orphans = await getPrisma().tunnel.findMany({
      where: { id: { in: [...this.tunnels.keys()] }, owner: { disabled: true } },
      select: { id: true, owner: { select: { email: true } } },
    });
    for (const tunnel of orphans) await this.close(tunnel.id, { status: "closed", reason: `its owner ${tunnel.owner.email} was disabled` });
  }

  private journalReady(): Promise<void> {
    this.journalLoaded ??= getPrisma()
      .engineJournalMark.findUnique({ where: { id: 1 } })
      .then((mark) => reportRejected(this.journal.load(mark?.seq ?? 0)));
    return this.journalLoaded;
  }

  private journalCounters(tunnels: [string, LiveStats][]) {
    if (tunnels.length > 0) this.journal.append({ type: "counters", counters: countersOf(tunnels) });
  }

  /** Commits the journal's pending entries; one commit at a time, and at most one more waiting behind it. */
  private commitJournal(): Promise<void> {
    if (!this.commitQueued) {
      this.commitQueued = true;
      this.committing = this.committing.then(() => {
        this.commitQueued = false;
        return this.commitPending();
      });
    }
    return this.committing;
  }

  /** Commits the pending entries a slice at a time: SQLite has one writer, so
   *  every other query (a page, /health) waits for a whole transaction; one
   *  second of 200 busy tunnels in one go held them up to 1.7 s. */
  private async commitPending() {
    // What arrives meanwhile waits for the next commit, so a close waiting on this one is not kept waiting by new traffic.
    const end = this.journal.lastSeq;
    for (;;) {
      const slice = this.journal.pending(COMMIT_SLICE).filter((entry) => entry.seq <= end);
      if (slice.length === 0 || !(await this.commitSlice(slice))) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** A slice that fails (the database locked for longer than every retry) stays in the journal for the next tick. */
  private async commitSlice(batch: readonly JournalEntry[]): Promise<boolean> {
    const through = batch.at(-1)!.seq;
    try {
      await recordAudit(engineCtx, auditInputs(batch), async (tx) => {
        const records = batch.flatMap((entry) => (entry.type === "connection" ? [entry.record] : []));
        const counters = latestCounters(batch);
        // A tunnel deleted meanwhile (its owner was) takes its rows with it.
        const tunnelIds = [...new Set([...records.map((record) => record.tunnelId), ...counters.keys()])];
        const existing = new Set((await tx.tunnel.findMany({ where: { id: { in: tunnelIds } }, select: { id: true } })).map((tunnel) => tunnel.id));
        const rows = records.filter((record) => existing.has(record.tunnelId)).map((record) => ({ id: randomUUID(), ...record }));
        await insertRows(tx, "TunnelConnection", CONNECTION_COLUMNS, rows);
        await updateCounters(tx, [...counters].filter(([id]) => existing.has(id)));
        await tx.engineJournalMark.upsert({ where: { id: 1 }, create: { id: 1, seq: through }, update: { seq: through } });
      });
      this.journal.committed(through);
      return true;
    } catch (error) {
      console.error(`warren: committing ${batch.length} journal entries failed, kept for the next attempt:`, reasonOf(error));
      return false;
    }
  }

  // Once a second: a stats event for every tunnel whose counters moved, the
  // moved counters into the journal, and the journal into the database.
  private async tick() {
    this.ticks += 1;
    await this.plane.call("snapshot", {}).catch(() => {}); // its "stats" event brings the counters up to date
    const moved: [string, LiveStats][] = [];
    const batch: StatsEvent[] = [];
    for (const [tunnelId, { tunnel, stats }] of this.tunnels) {
      const key = `${stats.bytesIn}/${stats.bytesOut}/${stats.connections}/${stats.connectionsTotal}`;
      if (this.lastStats.get(tunnelId) === key) continue;
      this.lastStats.set(tunnelId, key);
      moved.push([tunnelId, stats]);
      batch.push({ tunnelId, ownerId: tunnel.ownerId, teamId: tunnel.teamId, ...stats });
    }
    if (batch.length > 0) this.emit("stats", batch);
    this.journalCounters(moved);
    await this.commitJournal();
    if (this.ticks % (this.options.ownerCheckEveryTicks ?? 5) !== 0) return;
    await this.closeTunnelsOfDisabledOwners().catch((error: unknown) => console.error("warren: closing tunnels of disabled users failed:", reasonOf(error)));
    await dropDisabledParticipants(engineCtx).catch((error: unknown) => console.error("warren: removing disabled users from shared tunnels failed:", reasonOf(error)));
    await expireStaleRequests().catch((error: unknown) => console.error("warren: expiring approval requests failed:", reasonOf(error)));
  }
}

/** Journal lines whose seal failed were written by someone without the key: tell the admins and the console. */
async function reportRejected(rejected: JournalRejection[]) {
  if (rejected.length === 0) return;
  const named = rejected.slice(0, REJECTIONS_NAMED);
  const lines = named.map(({ line, reason }) => `line ${line}: ${reason}`).join("; ");
  console.error(
    `warren: refused ${rejected.length} line(s) of ${JOURNAL_FILE} written without Warren's key (${lines}${rejected.length > named.length ? "; …" : ""}); nothing in them was committed; they are kept in ${JOURNAL_FILE}.rejected`,
  );
  // Not fatal: the engine starts either way, and the console line stays.
  await recordAudit(engineCtx, { action: "audit.journal_rejected", details: { file: JOURNAL_FILE, rejected: rejected.length, lines: named } }).catch((error: unknown) =>
    console.error("warren: auditing the refused journal lines failed:", reasonOf(error)),
  );
}

const CONNECTION_COLUMNS = ["id", "tunnelId", "source", "destination", "bytesIn", "bytesOut", "openedAt", "closedAt", "error"] as const;

// 7 parameters a row: well under SQLite's 32,766 per statement.
const COUNTER_ROWS_PER_STATEMENT = 1_000;

/** Moving tunnels' counters, a thousand to a statement: once a second for
 *  hundreds of tunnels, one query per tunnel cost the event loop far more.
 *  Counters only grow, and a close commits its final ones ahead of the
 *  journal's older entries (close): a value never lowers what is stored. */
async function updateCounters(tx: Prisma.TransactionClient, all: [string, TunnelCounters][]) {
  for (let start = 0; start < all.length; start += COUNTER_ROWS_PER_STATEMENT) {
    await updateCounterRows(tx, all.slice(start, start + COUNTER_ROWS_PER_STATEMENT));
  }
}

async function updateCounterRows(tx: Prisma.TransactionClient, rows: [string, TunnelCounters][]) {
  const when = rows.map(() => "WHEN ? THEN ?").join(" ");
  const values = (pick: (counters: TunnelCounters) => number) => rows.flatMap(([id, counters]) => [id, pick(counters)]);
  await tx.$executeRawUnsafe(
    `UPDATE "Tunnel" SET "bytesIn" = MAX("bytesIn", CASE "id" ${when} END), "bytesOut" = MAX("bytesOut", CASE "id" ${when} END), "connectionsTotal" = MAX("connectionsTotal", CASE "id" ${when} END) WHERE "id" IN (${rows.map(() => "?").join(", ")})`,
    ...values((c) => c.bytesIn),
    ...values((c) => c.bytesOut),
    ...values((c) => c.connectionsTotal),
    ...rows.map(([id]) => id),
  );
}

function auditInputs(batch: readonly JournalEntry[]): AuditInput[] {
  return batch.flatMap((entry) => (entry.type === "audit" ? [entry.input] : []));
}

/** Each tunnel's most recent totals in the batch. */
function latestCounters(batch: readonly JournalEntry[]): Map<string, TunnelCounters> {
  const latest = new Map<string, TunnelCounters>();
  for (const entry of batch) {
    for (const [id, counters] of Object.entries(entry.counters ?? {})) latest.set(id, counters);
  }
  return latest;
}

function countersOf(tunnels: [string, LiveStats][]): Record<string, TunnelCounters> {
  return Object.fromEntries(tunnels.map(([id, { bytesIn, bytesOut, connectionsTotal }]) => [id, { bytesIn, bytesOut, connectionsTotal }]));
}

function connectionDetails(record: ConnectionRecord) {
  return {
    source: record.source,
    destination: record.destination,
    bytesIn: record.bytesIn,
    bytesOut: record.bytesOut,
    durationMs: record.closedAt.getTime() - record.openedAt.getTime(),
    error: record.error,
  };
}

function refusedRecord(tunnelId: string, source: string, destination: string | null, reason: string): ConnectionRecord {
  const now = new Date();
  return { tunnelId, source, destination, bytesIn: 0, bytesOut: 0, openedAt: now, closedAt: now, error: `refused: ${reason}` };
}
