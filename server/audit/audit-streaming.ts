// Streams every sealed audit record, in seq order, to each sink set in the
// environment or added by an admin (lib/audit/audit-sinks.ts), at least
// once: a batch is sent again until the sink acknowledges it, and only then
// is the sink's `deliveredSeq` moved in the database, so a restart resumes
// after the last acknowledged record. Each sink runs on its own, in the
// background: nothing a request or an append does waits for it, and a sink
// that is down only retries, backing off up to 30 s. New records are noticed
// at once when this process sealed them and within a second when another one
// did (the CLI, another node). With several nodes, one delivers to a sink at
// a time: the one holding the sink's lease in its AuditSink row.
import { toAuditDto } from "@/lib/audit/audit-log";
import { adminSinks, type ConfiguredSink, configuredSinks } from "@/lib/audit/audit-sinks";
import { getConfig, type WarrenConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import { processGlobals } from "@/lib/process-globals";
import type { Feature } from "@/server/feature";
import { fileTransport, type SinkTransport, syslogTransport, webhookTransport } from "@/server/audit/sink-transports";
import { log } from "@/lib/log";
import { describeFailure } from "@/lib/describe-failure";
import { backoffMs, pause } from "@/server/retry";

const BATCH = 100;
const POLL_MS = 1_000;
const LEASE_MS = 30_000;
const LEASE_RENEW_MS = 10_000;
/** Failed deliveries wait from 0.5 s, doubling, up to 30 s. */
const BACKOFF = { firstMs: 500, maxMs: 30_000 };
/** How often the sinks admins added are read again. */
const RECONCILE_MS = 3_000;

function transportFor(sink: ConfiguredSink, config: WarrenConfig): SinkTransport {
  if (sink.kind === "webhook") return webhookTransport(sink.settings);
  if (sink.kind === "syslog") return syslogTransport(sink.settings, config.node.name);
  return fileTransport(sink.settings);
}

class SinkRunner {
  private position = 0;
  private leaseRenewedAt = 0;
  private failures = 0;
  private readonly me = getConfig().node.name;
  /** Its row, and no other of the same name (an admin's sink removed and added again). */
  private readonly row: { name: string; createdAt?: Date };

  constructor(
    private readonly sink: ConfiguredSink,
    private readonly transport: SinkTransport,
    private readonly signal: AbortSignal,
    private readonly wakers: Set<() => void>,
  ) {
    this.row = sink.since ? { name: sink.name, createdAt: sink.since } : { name: sink.name };
  }

  /** Its row: made at an environment sink's first start; a sink whose target changed is a new receiver, which gets the whole trail. */
  private async prepare() {
    // An admin's sink was made with its row, and is never changed (only removed).
    if (this.sink.source === "admin") return;
    const prisma = getPrisma();
    const { name, kind, target } = this.sink;
    const row = await prisma.auditSink.findUnique({ where: { name } });
    if (!row) {
      await prisma.auditSink.upsert({ where: { name }, create: { name, kind, target }, update: {} });
    } else if (row.target !== target || row.kind !== kind) {
      log().info(`audit sink ${name} now goes to ${target} (was ${row.target}): it gets the whole audit trail again`);
      await prisma.auditSink.update({ where: { name }, data: { kind, target, deliveredSeq: 0, failures: 0, lastError: null, lastDeliveredAt: null } });
    }
  }

  /** Whether this node delivers to the sink now: it holds the lease, renewing it, or takes it when nobody holds it. */
  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.leaseRenewedAt && now - this.leaseRenewedAt < LEASE_RENEW_MS) return true;
    const { count } = await getPrisma().auditSink.updateMany({
      where: { ...this.row, OR: [{ leaseNode: this.me }, { leaseUntil: null }, { leaseUntil: { lt: new Date(now) } }] },
      data: { leaseNode: this.me, leaseUntil: new Date(now + LEASE_MS) },
    });
    if (count === 0) {
      this.leaseRenewedAt = 0;
      return false;
    }
    // Taken anew: another node may have delivered meanwhile.
    if (!this.leaseRenewedAt) this.position = (await getPrisma().auditSink.findFirstOrThrow({ where: this.row })).deliveredSeq;
    this.leaseRenewedAt = now;
    return true;
  }

  /** Delivers the next batch; answers whether there was one. */
  private async deliverNext(): Promise<boolean> {
    const rewind = this.transport.takeRewind?.() ?? null;
    if (rewind !== null && rewind < this.position) this.position = rewind;
    const records = await getPrisma().auditEvent.findMany({ where: { seq: { gt: this.position } }, orderBy: { seq: "asc" }, take: BATCH });
    if (records.length === 0) return false;
    const first = records[0]!.seq;
    if (first > this.position + 1 && this.position > 0) {
      log().warn(`audit sink ${this.sink.name}: records ${this.position + 1}-${first - 1} were pruned (WARREN_AUDIT_RETENTION_DAYS) before it had them`);
    }
    await this.transport.deliver(records.map(toAuditDto), this.signal);
    const last = records.at(-1)!.seq;
    const now = new Date();
    const { count } = await getPrisma().auditSink.updateMany({
      where: { ...this.row, leaseNode: this.me },
      data: { deliveredSeq: last, failures: 0, lastError: null, lastAttemptAt: now, lastDeliveredAt: now },
    });
    // Another node took the sink over (this one was too slow to renew): it goes on from what it read.
    if (count === 0) this.leaseRenewedAt = 0;
    else this.position = last;
    if (this.failures > 0) log().info(`audit sink ${this.sink.name} (${this.sink.target}) delivers again, up to record ${last}`);
    this.failures = 0;
    return true;
  }

  private async fail(error: unknown) {
    this.failures += 1;
    const message = describeFailure(error).slice(0, 500);
    const wait = backoffMs(this.failures, BACKOFF);
    log().error(`audit sink ${this.sink.name} (${this.sink.target}) failed: ${message}; next attempt in ${(wait / 1000).toFixed(1)} s`);
    await getPrisma()
      .auditSink.updateMany({
        where: { ...this.row, leaseNode: this.me },
        data: { failures: this.failures, lastError: message, lastAttemptAt: new Date() },
      })
      .catch(() => {});
    await pause(wait, this.signal);
  }

  async run() {
    while (!this.signal.aborted) {
      try {
        await this.prepare();
        break;
      } catch (error) {
        await this.fail(error);
      }
    }
    while (!this.signal.aborted) {
      try {
        if (!(await this.holdLease())) await pause(POLL_MS, this.signal);
        else if (!(await this.deliverNext())) await pause(POLL_MS, this.signal, this.wakers);
      } catch (error) {
        if (this.signal.aborted) break;
        await this.fail(error);
      }
    }
    await this.transport.close().catch(() => {});
    // Another node may take the sink over at once.
    if (this.leaseRenewedAt) {
      await getPrisma()
        .auditSink.updateMany({ where: { ...this.row, leaseNode: this.me }, data: { leaseUntil: null } })
        .catch(() => {});
    }
  }
}

/** Starts a runner for each sink set in the environment or added by an
 *  admin, and every few seconds for sinks added since (ending those removed);
 *  stop() ends them, cutting an attempt under way (it is made again at the next start). */
export function registerAuditStreaming(): Feature {
  const config = getConfig();
  const controller = new AbortController();
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const waker of [...wakers]) waker();
  };
  processGlobals.warrenAuditAppended ??= new Set();
  const appended = processGlobals.warrenAuditAppended;
  appended.add(wake);
  const running = new Map<string, { revision: string; stop: AbortController; done: Promise<void> }>();
  const revision = (sink: ConfiguredSink) => `${sink.target} ${sink.since?.toISOString() ?? ""}`;

  const start = (sink: ConfiguredSink) => {
    const stop = new AbortController();
    const signal = AbortSignal.any([controller.signal, stop.signal]);
    const done = new SinkRunner(sink, transportFor(sink, config), signal, wakers).run();
    running.set(sink.name, { revision: revision(sink), stop, done });
    log().info(`streaming the audit trail to ${sink.kind} ${sink.name} (${sink.target})`);
  };
  const environment = configuredSinks(config.auditStreaming);
  for (const sink of environment) start(sink);

  const reconcile = async () => {
    const wanted = new Map([...environment, ...(await adminSinks())].map((sink) => [sink.name, sink]));
    for (const [name, run] of running) {
      const sink = wanted.get(name);
      if (sink && revision(sink) === run.revision) continue;
      run.stop.abort();
      running.delete(name);
      await run.done;
    }
    for (const [name, sink] of wanted) if (!running.has(name) && !controller.signal.aborted) start(sink);
  };
  let current: Promise<void> | undefined;
  const round = () => {
    current ??= reconcile()
      .catch((error: unknown) => log().error({ err: error }, "reading the audit sinks failed"))
      .finally(() => (current = undefined));
  };
  round();
  const timer = setInterval(round, RECONCILE_MS).unref();
  return {
    name: "audit streaming",
    async stop() {
      clearInterval(timer);
      appended.delete(wake);
      controller.abort();
      await current;
      await Promise.all([...running.values()].map((run) => run.done));
    },
  };
}
