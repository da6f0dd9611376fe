// The tunnel engine: reconciles the database's desired state into open
// tunnels, shares one SSH link per host, persists status changes (with their
// reasons), counters and connection records, and tells listeners about them.
import { EventEmitter } from "node:events";
import type { Client, ClientChannel, TcpConnectionDetails } from "ssh2";
import { tunnelStatusAction } from "@/lib/audit/audit-actions";
import { recordAudit, type AuditInput } from "@/lib/audit/audit-log";
import { expireStaleRequests } from "@/lib/tunnels/approvals";
import { systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import { TunnelOpenError, type LiveStats, type TunnelEngineApi } from "@/lib/tunnels/engine-port";
import { hostPolicy } from "@/lib/tunnels/host-policy";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import { HostLink, type BackoffOptions } from "@/server/tunnels/host-link";
import { TunnelRuntime, type ConnectionRecord, type RuntimeTunnel } from "@/server/tunnels/tunnel-runtime";

/** `ownerId` and `teamId` say who may hear of it. */
export type StatusEvent = { tunnelId: string; ownerId: string; teamId: string | null; status: TunnelStatus; reason: string | null; at: string };
export type StatsEvent = { tunnelId: string; ownerId: string; teamId: string | null } & LiveStats;

type EngineEvents = { status: [StatusEvent]; stats: [StatsEvent] };

export type EngineOptions = { backoff?: BackoffOptions; statsIntervalMs?: number; persistEveryTicks?: number };

const MAX_TIMER_MS = 2 ** 31 - 1;
const engineCtx = systemCtx("engine");

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class TunnelEngine extends EventEmitter<EngineEvents> implements TunnelEngineApi {
  private readonly links = new Map<string, HostLink>();
  private readonly runtimes = new Map<string, TunnelRuntime>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly lastStats = new Map<string, string>();
  private readonly dirty = new Set<TunnelRuntime>();
  private pendingConnections: ConnectionRecord[] = [];
  /** Connection events for the audit trail, sealed in one batch per tick. */
  private pendingAudit: AuditInput[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private ticks = 0;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: EngineOptions = {}) {
    super();
    this.backoff = options.backoff ?? { baseMs: 1_000, maxMs: 30_000 };
  }

  /** Re-opens every tunnel that should be open, and expires the ones whose time ran out. */
  async start() {
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

  reconfigure(tunnelId: string, { allowedSources, teamId }: { allowedSources?: string[]; teamId?: string | null }) {
    const runtime = this.runtimes.get(tunnelId);
    if (allowedSources) runtime?.setAllowedSources(allowedSources);
    if (runtime && teamId !== undefined) runtime.tunnel.teamId = teamId;
  }

  /** `fresh`: a new request, whose refusal by the SSH server its caller answers
   *  (nothing is left behind); otherwise a refusal marks the tunnel failed. */
  private async openTunnel(tunnelId: string, { fresh }: { fresh: boolean }): Promise<void> {
    const tunnel = await getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnelId }, include: { host: true } });
    const auditIds = { hostId: tunnel.hostId, tunnelId: tunnel.id };
    const runtime = new TunnelRuntime(
      {
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
        allowedSources: JSON.parse(tunnel.allowedSources) as string[],
        policy: hostPolicy(tunnel.host),
        expiresAt: tunnel.expiresAt,
      },
      {
        connectionOpened: ({ source, destination }) =>
          this.pendingAudit.push({ action: "connection.accepted", ...auditIds, at: new Date(), details: { source, destination } }),
        connectionClosed: (record) => {
          this.pendingConnections.push(record);
          this.pendingAudit.push({ action: "connection.closed", ...auditIds, at: record.closedAt, details: connectionDetails(record) });
        },
        connectionRefused: ({ source, destination, reason }) => {
          this.pendingConnections.push(refusedRecord(tunnel.id, source, destination, reason));
          this.pendingAudit.push({ action: "connection.refused", ...auditIds, at: new Date(), details: { source, destination, reason } });
        },
      },
      { bytesIn: Number(tunnel.bytesIn), bytesOut: Number(tunnel.bytesOut), connectionsTotal: tunnel.connectionsTotal },
    );
    await runtime.listen(); // a port taken here rejects before anything is registered
    this.runtimes.set(tunnelId, runtime);
    this.armExpiry(runtime.tunnel);
    const link = this.link(tunnel.hostId);
    try {
      const warning = await runtime.attach(await link.ensure());
      await this.persistStatus(tunnelId, "active", warning ?? null);
    } catch (error) {
      await this.drop(tunnelId);
      if (fresh && error instanceof TunnelOpenError) throw error;
      await this.persistStatus(tunnelId, "failed", reasonOf(error));
    }
  }

  async close(tunnelId: string, { status, reason, ctx }: { status: "closed" | "expired"; reason: string; ctx?: Ctx }) {
    await this.drop(tunnelId);
    await this.flushConnections();
    await this.persistStatus(tunnelId, status, reason, ctx);
  }

  extend(tunnelId: string, expiresAt: Date) {
    const runtime = this.runtimes.get(tunnelId);
    if (!runtime) return;
    clearTimeout(this.expiryTimers.get(tunnelId));
    runtime.tunnel.expiresAt = expiresAt;
    this.armExpiry(runtime.tunnel);
  }

  live(tunnelId: string): LiveStats | undefined {
    const runtime = this.runtimes.get(tunnelId);
    if (!runtime) return undefined;
    return { ...runtime.meter, connections: runtime.connections, connectionsTotal: runtime.connectionsTotal };
  }

  /** Drains: closes listeners and channels, persists counters and records. Statuses stay as they are, so the next start reopens. */
  async stop() {
    clearInterval(this.ticker);
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    const runtimes = [...this.runtimes.values()];
    await Promise.all(runtimes.map((runtime) => runtime.teardown()));
    await this.persistCounters(runtimes);
    await this.flushConnections();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.runtimes.clear();
  }

  private link(hostId: string): HostLink {
    const existing = this.links.get(hostId);
    if (existing) return existing;
    const link = new HostLink(hostId, this.backoff);
    link.on("ready", (client) => void this.linkReady(hostId, client));
    link.on("down", (reason) => void this.linkDown(hostId, reason));
    link.on("failed", (reason) => void this.linkFailed(hostId, reason));
    this.links.set(hostId, link);
    return link;
  }

  private runtimesOf(hostId: string) {
    return [...this.runtimes.values()].filter((runtime) => runtime.tunnel.hostId === hostId);
  }

  private async linkReady(hostId: string, client: Client) {
    // Remote forwards arrive on the client as a whole: hand each to its tunnel.
    client.on("tcp connection", (info: TcpConnectionDetails, accept: () => ClientChannel, reject: () => void) => {
      const runtime = this.runtimesOf(hostId).find((r) => r.tunnel.kind === "remote" && r.tunnel.listenPort === info.destPort);
      if (runtime) runtime.acceptRemote(info, accept, reject);
      else reject();
    });
    await Promise.all(
      this.runtimesOf(hostId).map(async (runtime) => {
        const status = await this.currentStatus(runtime.tunnel.id);
        if (status !== "reconnecting") return; // a new tunnel attaches itself in open()
        try {
          const warning = await runtime.attach(client);
          await this.persistStatus(runtime.tunnel.id, "active", warning ?? `reconnected to ${runtime.tunnel.hostName}`);
        } catch (error) {
          await this.drop(runtime.tunnel.id);
          await this.persistStatus(runtime.tunnel.id, "failed", reasonOf(error));
        }
      }),
    );
  }

  private async linkDown(hostId: string, reason: string) {
    for (const runtime of this.runtimesOf(hostId)) {
      runtime.detach();
      await this.persistStatus(runtime.tunnel.id, "reconnecting", reason);
    }
  }

  private async linkFailed(hostId: string, reason: string) {
    for (const runtime of this.runtimesOf(hostId)) {
      await this.drop(runtime.tunnel.id);
      await this.persistStatus(runtime.tunnel.id, "failed", reason);
    }
  }

  /** Stops a runtime and forgets it; the host's link goes when its last tunnel does. */
  private async drop(tunnelId: string) {
    clearTimeout(this.expiryTimers.get(tunnelId));
    this.expiryTimers.delete(tunnelId);
    const runtime = this.runtimes.get(tunnelId);
    if (!runtime) return;
    this.runtimes.delete(tunnelId);
    this.lastStats.delete(tunnelId);
    await runtime.teardown();
    await this.persistCounters([runtime]);
    const { hostId } = runtime.tunnel;
    if (this.runtimesOf(hostId).length === 0) {
      this.links.get(hostId)?.close();
      this.links.delete(hostId);
    }
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

  private async persistStatus(tunnelId: string, status: TunnelStatus, reason: string | null, ctx: Ctx = engineCtx) {
    const prisma = getPrisma();
    const terminal = !OPEN_STATUSES.includes(status);
    const tunnel = await prisma.tunnel.findUnique({ where: { id: tunnelId }, select: { ownerId: true, teamId: true, hostId: true, status: true, statusReason: true } });
    if (!tunnel || (tunnel.status === status && tunnel.statusReason === reason)) return;
    const at = new Date();
    await prisma.$transaction([
      prisma.tunnel.update({ where: { id: tunnelId }, data: { status, statusReason: reason, ...(terminal ? { closedAt: at } : {}) } }),
      prisma.tunnelEvent.create({ data: { tunnelId, status, reason, at } }),
    ]);
    this.emit("status", { tunnelId, ownerId: tunnel.ownerId, teamId: tunnel.teamId, status, reason, at: at.toISOString() });
    const action = tunnelStatusAction(status);
    if (action && tunnel.status !== status) {
      await recordAudit(ctx, { action, hostId: tunnel.hostId, tunnelId, at, details: { reason, from: tunnel.status } });
    }
  }

  /** A user disabled anywhere (even by the CLI, in another process) loses their tunnels here within seconds. */
  private async closeTunnelsOfDisabledOwners() {
    if (this.runtimes.size === 0) return;
    const orphans = await getPrisma().tunnel.findMany({
      where: { id: { in: [...this.runtimes.keys()] }, owner: { disabled: true } },
      select: { id: true, owner: { select: { email: true } } },
    });
    for (const tunnel of orphans) await this.close(tunnel.id, { status: "closed", reason: `its owner ${tunnel.owner.email} was disabled` });
  }

  private async persistCounters(runtimes: TunnelRuntime[]) {
    const prisma = getPrisma();
    await Promise.all(
      runtimes.map((runtime) =>
        prisma.tunnel.update({
          where: { id: runtime.tunnel.id },
          data: { bytesIn: BigInt(runtime.meter.bytesIn), bytesOut: BigInt(runtime.meter.bytesOut), connectionsTotal: runtime.connectionsTotal },
        }),
      ),
    );
  }

  private async flushConnections() {
    const audit = this.pendingAudit;
    this.pendingAudit = [];
    await recordAudit(engineCtx, audit);
    if (this.pendingConnections.length === 0) return;
    const batch = this.pendingConnections;
    this.pendingConnections = [];
    await getPrisma().tunnelConnection.createMany({
      data: batch.map((record) => ({ ...record, bytesIn: BigInt(record.bytesIn), bytesOut: BigInt(record.bytesOut) })),
    });
  }

  // Once a second: a stats event for every tunnel whose counters moved, and
  // finished connections to the database; every few seconds, the counters.
  private async tick() {
    this.ticks += 1;
    for (const runtime of this.runtimes.values()) {
      const stats = this.live(runtime.tunnel.id)!;
      const key = `${stats.bytesIn}/${stats.bytesOut}/${stats.connections}/${stats.connectionsTotal}`;
      if (this.lastStats.get(runtime.tunnel.id) === key) continue;
      this.lastStats.set(runtime.tunnel.id, key);
      this.dirty.add(runtime);
      this.emit("stats", { tunnelId: runtime.tunnel.id, ownerId: runtime.tunnel.ownerId, teamId: runtime.tunnel.teamId, ...stats });
    }
    try {
      await this.flushConnections();
      if (this.ticks % (this.options.persistEveryTicks ?? 5) !== 0) return;
      await this.closeTunnelsOfDisabledOwners();
      await expireStaleRequests();
      const dirty = [...this.dirty].filter((runtime) => this.runtimes.has(runtime.tunnel.id));
      this.dirty.clear();
      await this.persistCounters(dirty);
    } catch (error) {
      console.error("warren: persisting tunnel counters failed:", reasonOf(error));
    }
  }
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
