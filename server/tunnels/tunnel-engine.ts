// The tunnel engine: reconciles the database's desired state into open
// tunnels, shares each host's pool of SSH connections (host-pool.ts) among
// its tunnels, and reports what its runtime reaches (open, reconnecting,
// failed, expired) through the one writer of statuses
// (lib/tunnels/set-tunnel-status.ts). Connection records, their audit records
// and counters go through a journal on disk first (journal-commit.ts), so a
// killed Warren loses none of them. The bytes themselves flow in the data
// plane's thread (data-plane.ts).
import { messageOf } from "@/lib/describe-failure";
import { EventEmitter } from "node:events";
import net from "node:net";
import { getConfig } from "@/lib/config";
import { idleReason } from "@/lib/format";
import { systemCtx } from "@/lib/context";
import { carriesHost, hostNodes } from "@/lib/host-nodes";
import { databaseProvider, getPrisma } from "@/lib/db/prisma";
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import { LINK_STATES, TunnelOpenError, type LinkState, type LiveStats, type OpenConnection, type TunnelEngineApi } from "@/lib/tunnels/engine-port";
import { tunnelRooms } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { hostPolicy } from "@/lib/tunnels/host-policy";
import { setTunnelStatus } from "@/lib/tunnels/set-tunnel-status";
import type { StoredCounters } from "@/lib/tunnels/tunnel-counters";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import type { HostPolicy } from "@/lib/validation/host-policy";
import { DataPlane, type StreamHandle, type StreamPeer } from "@/server/tunnels/data-plane";
import type { ConnectPerson, DataPlaneEvent, RuntimeTunnel } from "@/server/tunnels/data-plane-protocol";
import { EngineMetrics } from "@/server/metrics/engine-metrics";
import type { TunnelKind } from "@/server/metrics/metrics";
import { claimTunnel, LEASE_MS, LEASE_RENEW_MS, orphanedTunnels, releaseLeases, renewLeases, takeOver, unclaimedTunnels } from "@/server/nodes/tunnel-leases";
import type { PoolSnapshot } from "@/server/tunnels/channel-pool";
import { HostPool } from "@/server/tunnels/host-pool";
import { COMMIT_SLICE, JournalCommit } from "@/server/tunnels/journal-commit";
import { countersOf, journalEntriesOf, statsOf } from "@/server/tunnels/plane-records";
import { log } from "@/lib/log";

/** `ownerId` and `teamId` say who may hear of it. */
export type StatsEvent = { tunnelId: string; ownerId: string; teamId: string | null } & LiveStats;

/** The engine's state now: the readiness check's (TunnelEngineApi's health) and,
 *  for /metrics, its open connections by tunnel kind and its SSH links by state. */
export type EngineHealth = ReturnType<TunnelEngineApi["health"]> & {
  refusingNew: boolean;
  connections: Map<TunnelKind, number>;
  links: Map<LinkState, number>;
};

/** `stats`: every tunnel whose counters moved since the last tick, in one go. */
type EngineEvents = { stats: [StatsEvent[]] };

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Why a connection is refused while the journal is past its limit. */
export const RECORDS_BEHIND = "Warren's connection records are behind the traffic (the database is slower): new connections are refused until they catch up";
const TICK_MS = 1_000;
/** A host's connections retry after 1 s, doubling up to 30 s. */
const BACKOFF = { baseMs: 1_000, maxMs: 30_000 };
const engineCtx = systemCtx("engine");

/** When an open tunnel closes if nothing goes through it meanwhile: null without an idle limit or while a connection is open. */
function idleClosesAt({ tunnel, stats, busyAt }: OpenTunnel): string | null {
  if (!tunnel.idleMinutes || stats.connections > 0) return null;
  return new Date(busyAt + tunnel.idleMinutes * 60_000).toISOString();
}

/** A tunnel whose channels may go to names (not IP literals): its host's pool opens the connection reserved for names. */
function asksForNames(tunnel: RuntimeTunnel): boolean {
  return tunnel.kind === "dynamic" || (tunnel.kind === "local" && net.isIP(tunnel.targetHost ?? "") === 0);
}

/** An open tunnel as the engine knows it; `stats` mirrors the data plane's counters; `busyAt`: when it last had a connection or moved bytes. */
type OpenTunnel = { tunnel: RuntimeTunnel; stats: LiveStats; busyAt: number };

export class TunnelEngine extends EventEmitter<EngineEvents> implements TunnelEngineApi {
  private readonly links = new Map<string, HostPool>();
  private readonly tunnels = new Map<string, OpenTunnel>();
  /** Remote tunnels whose far end a `warren expose` client holds now. */
  private readonly attached = new Set<string>();
  /** Tunnels being opened here now. */
  private readonly opening = new Set<string>();
  private incomingTaker: DataPlane["onIncoming"];
  private plane = this.startPlane();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly lastStats = new Map<string, string>();
  private readonly commits = new JournalCommit();
  private readonly metrics = new EngineMetrics();
  /** Tunnels being closed for being idle. */
  private readonly idling = new Set<string>();
  private ticker: NodeJS.Timeout | undefined;
  /** New connections are refused while the journal is past its limit (steerBacklog). */
  private refusingNew = false;
  private leases = { renewedAt: Date.now(), checkedAt: 0, lost: false };

  /** Commits what a killed run left in the journal, then marks every tunnel
   *  this node should carry as reopening, or expired if its time ran out.
   *  Warren awaits this before it answers, so no page shows a tunnel as open
   *  before it is opened again. */
  async recover() {
    await this.commits.ready();
    await this.commits.commit();
    const now = Date.now();
    await Promise.allSettled(
      (await this.wanted()).map((tunnel) =>
        tunnel.expiresAt.getTime() <= now
          ? this.report(tunnel.id, "expired", "expired while Warren was stopped")
          : this.report(tunnel.id, "starting", "Warren restarted: reopening"),
      ),
    );
  }

  /** Reopens every tunnel that should be open here (after `recover`). */
  async start() {
    this.ticker = setInterval(() => void this.tick(), TICK_MS);
    this.ticker.unref();
    await Promise.allSettled((await this.wanted()).map((tunnel) => this.openApproved(tunnel.id)));
  }

  /** This node's open tunnels, and any no node claimed yet: another node's are its own. */
  private wanted() {
    const mine = { OR: [{ nodeName: getConfig().node.name }, { nodeName: null }] };
    return getPrisma().tunnel.findMany({ where: { status: { in: OPEN_STATUSES }, ...mine }, select: { id: true, expiresAt: true } });
  }

  open(tunnelId: string): Promise<void> {
    return this.openTunnel(tunnelId, { fresh: true });
  }

  async openApproved(tunnelId: string): Promise<void> {
    await this.openTunnel(tunnelId, { fresh: false }).catch((error: unknown) => this.report(tunnelId, "failed", messageOf(error)));
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
    // Asked twice (a request, and a node adopting its tunnel): opened once.
    if (this.tunnels.has(tunnelId) || this.opening.has(tunnelId)) return;
    this.opening.add(tunnelId);
    try {
      await this.commits.ready();
      if (await this.leaveToPinnedNodes(tunnelId)) return;
      if (!(await claimTunnel(tunnelId))) return; // another node carries it
      await this.openClaimed(tunnelId, fresh);
    } finally {
      this.opening.delete(tunnelId);
    }
  }

  /** A tunnel whose host is pinned to other nodes is left to them: its lease,
   *  if this node held one, ends now, and they hear of it at once. Answers whether it was. */
  private async leaveToPinnedNodes(tunnelId: string): Promise<boolean> {
    const { host } = await getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnelId }, select: { host: { select: { name: true, nodes: true } } } });
    if (carriesHost(host.nodes, getConfig().node.name)) return false;
    await releaseLeases([tunnelId]);
    const nodes = hostNodes(host.nodes);
    await this.report(tunnelId, "starting", `waiting for Warren node ${nodes.join(" or ")}, which carries ${host.name}'s tunnels`);
    return true;
  }

  private async openClaimed(tunnelId: string, fresh: boolean): Promise<void> {
    const tunnel = await getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnelId }, include: { host: true, owner: { select: { email: true } } } });
    const open: OpenTunnel = {
      tunnel: {
        id: tunnel.id,
        kind: tunnel.kind,
        ownerId: tunnel.ownerId,
        ownerEmail: tunnel.owner.email,
        teamId: tunnel.teamId,
        hostId: tunnel.hostId,
        hostName: tunnel.host.name,
        hostAddress: tunnel.host.address,
        listenAddress: tunnel.listenAddress,
        listenPort: tunnel.listenPort,
        targetHost: tunnel.targetHost,
        targetPort: tunnel.targetPort,
        targetClient: tunnel.targetClient,
        allowedSources: tunnelSpec(tunnel).allowedSources,
        policy: hostPolicy(tunnel.host),
        expiresAt: tunnel.expiresAt,
        idleMinutes: tunnel.idleMinutes,
      },
      stats: { bytesIn: Number(tunnel.bytesIn), bytesOut: Number(tunnel.bytesOut), connections: 0, connectionsTotal: tunnel.connectionsTotal },
      busyAt: Date.now(),
    };
    const { bytesIn, bytesOut, connectionsTotal } = open.stats;
    // A port taken here rejects before anything is registered.
    await this.plane.call("listen", { tunnel: open.tunnel, counters: { bytesIn, bytesOut, connectionsTotal } });
    this.tunnels.set(tunnelId, open);
    this.metrics.opened(tunnelId, open.tunnel.kind);
    this.armExpiry(open.tunnel);
    const link = this.link(tunnel.hostId);
    try {
      const note = await link.ensure(asksForNames(open.tunnel));
      const warning = await this.plane.call("attach", { tunnelId });
      await this.reportOpen(tunnelId, warning ?? note ?? null);
    } catch (error) {
      await this.drop(tunnelId);
      if (fresh && error instanceof TunnelOpenError) throw error;
      await this.report(tunnelId, "failed", messageOf(error));
    }
  }

  /** The tunnel is up: `active`. If it was ended meanwhile (closed while it opened), it is stopped again. */
  private async reportOpen(tunnelId: string, reason: string | null) {
    if (await this.report(tunnelId, "active", reason)) return;
    const status = await this.currentStatus(tunnelId);
    if (!status || !OPEN_STATUSES.includes(status)) await this.drop(tunnelId);
  }

  /** Connection records, refusals, their audit records and counters, as the
   *  data plane reports them: one journal write for each message it sends. */
  private onPlaneEvents(events: DataPlaneEvent[]) {
    for (const event of events) {
      for (const [tunnelId, stats] of statsOf(event)) this.mirror(tunnelId, stats);
    }
    for (const event of events) if (event.event === "pool-busy") this.links.get(event.hostId)?.grow();
    this.metrics.events(events);
    const entries = events.flatMap(journalEntriesOf);
    if (entries.length > 0) this.commits.journal.append(...entries);
    this.steerBacklog();
  }

  /** The journal into the database, and new connections accepted again once it has caught up. */
  private async commit() {
    await this.commits.commit();
    this.steerBacklog();
  }

  /** Backpressure: past WARREN_JOURNAL_BACKLOG_LIMIT entries not yet in the
   *  database, every tunnel refuses new connections (each refusal counted, as
   *  any), until the commits have brought the backlog under half the limit. */
  private steerBacklog() {
    const { backlog } = this.commits.journal;
    const limit = getConfig().journalBacklogLimit;
    const refusing = this.refusingNew ? backlog > limit / 2 : backlog > limit;
    if (refusing === this.refusingNew) return;
    this.refusingNew = refusing;
    if (refusing) log().warn(`${backlog} connection records wait for the database (limit ${limit}): new connections are refused until half are written`);
    else log().info(`connection records caught up (${backlog} waiting): new connections are accepted again`);
    void this.plane.call("refuseNew", { reason: refusing ? RECORDS_BEHIND : null }).catch(() => {}); // a plane that died starts accepting; the next check steers it
  }

  private mirror(tunnelId: string, stats: LiveStats) {
    const open = this.tunnels.get(tunnelId);
    if (!open) return;
    this.metrics.carried(open.tunnel.kind, open.stats, stats);
    // Busy until the last connection closes, and whenever bytes move.
    const before = open.stats;
    if (stats.connections > 0 || before.connections > 0 || stats.bytesIn !== before.bytesIn || stats.bytesOut !== before.bytesOut) open.busyAt = Date.now();
    open.stats = stats;
  }

  /** Stops the tunnel and answers its final counters, for the status that
   *  records its end. Its last connections' records, now in the journal, go
   *  first into the audit chain when the journal is up to date; when it is
   *  behind (a burst of connections), the close does not wait for the backlog
   *  and they follow it (see docs/performance.md). */
  async close(tunnelId: string): Promise<LiveStats | undefined> {
    const counters = await this.drop(tunnelId);
    if (this.commits.journal.backlog <= COMMIT_SLICE) await this.commit();
    return counters;
  }

  extend(tunnelId: string, expiresAt: Date) {
    const open = this.tunnels.get(tunnelId);
    if (!open) return;
    clearTimeout(this.expiryTimers.get(tunnelId));
    open.tunnel.expiresAt = expiresAt;
    this.armExpiry(open.tunnel);
  }

  /** Carries one `warren connect` connection into a tunnel open here
   *  (server/connect/), through its link like a listener's connection;
   *  undefined when it is not open. */
  relay(tunnelId: string, open: { source: string; via: ConnectPerson }, peer: StreamPeer): StreamHandle | undefined {
    if (!this.tunnels.has(tunnelId)) return undefined;
    return this.plane.openStream({ tunnelId, ...open }, peer);
  }

  health(): EngineHealth {
    const connections = new Map<TunnelKind, number>();
    for (const { tunnel, stats } of this.tunnels.values()) connections.set(tunnel.kind, (connections.get(tunnel.kind) ?? 0) + stats.connections);
    const links = new Map<LinkState, number>();
    for (const pool of this.links.values()) for (const state of pool.states) links.set(state, (links.get(state) ?? 0) + 1);
    return { running: this.ticker !== undefined, journalBacklog: this.commits.journal.backlog, refusingNew: this.refusingNew, connections, links };
  }

  /** The host's live SSH connections in the data plane now. */
  pool(hostId: string): Promise<PoolSnapshot> {
    return this.plane.call("pool", { hostId });
  }

  /** The best state among the host's pooled connections: "up" while any one carries. */
  linkState(hostId: string): LinkState | undefined {
    const states = this.links.get(hostId)?.states ?? [];
    return LINK_STATES.find((state) => states.includes(state));
  }

  live(tunnelId: string): LiveStats | undefined {
    const open = this.tunnels.get(tunnelId);
    return open && { ...open.stats, clientAttached: this.attached.has(tunnelId), idleClosesAt: idleClosesAt(open) };
  }

  async connections(tunnelId: string): Promise<OpenConnection[] | undefined> {
    if (!this.tunnels.has(tunnelId)) return undefined;
    return this.plane.call("connections", { tunnelId });
  }

  /** Its record arrived before the data plane answered: committed now, unless the journal is behind (as close()). */
  async killConnection(tunnelId: string, connectionId: string, reason: string): Promise<OpenConnection | undefined> {
    if (!this.tunnels.has(tunnelId)) return undefined;
    const killed = await this.plane.call("kill", { tunnelId, connectionId, reason });
    if (killed && this.commits.journal.backlog <= COMMIT_SLICE) await this.commit();
    return killed;
  }

  /** Who takes the connections that arrive for a remote tunnel's `warren expose` client (server/connect/). */
  onIncoming(taker: NonNullable<DataPlane["onIncoming"]>) {
    this.incomingTaker = taker;
    this.plane.onIncoming = taker;
  }

  /** The address of the expose client that holds the tunnel's far end now, or null when none does. */
  setClientAttached(tunnelId: string, address: string | null) {
    if (address) this.attached.add(tunnelId);
    else this.attached.delete(tunnelId);
    void this.plane.call("setClientAddress", { tunnelId, address }).catch(() => {}); // a tunnel closed meanwhile has no records to make
  }

  /** Drains: closes listeners and channels, persists counters and records. Statuses stay as they are, so the next start reopens. */
  async stop() {
    clearInterval(this.ticker);
    this.ticker = undefined;
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    const ids = [...this.tunnels.keys()];
    await Promise.all(ids.map((tunnelId) => this.teardown(tunnelId)));
    await this.commits.close();
    // Another node takes them over at once rather than after their leases; this one reclaims any left when it starts again.
    await releaseLeases(ids, { stopping: true }).catch(() => {});
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.tunnels.clear();
    await this.plane.stop();
  }

  private startPlane(): DataPlane {
    const plane = new DataPlane({ refusalSummaryMs: getConfig().refusalSummarySeconds * 1000 });
    plane.onIncoming = this.incomingTaker;
    plane.on("events", (events) => this.onPlaneEvents(events));
    plane.on("exit", (reason) => void this.planeLost(reason));
    return plane;
  }

  /** The data plane's thread died (a bug there, or out of memory), and its
   *  connections with it: a new one takes over, and every tunnel reopens as after a restart. */
  private async planeLost(reason: string) {
    log().error(`${reason}; reopening its tunnels`);
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.plane = this.startPlane();
    this.refusingNew = false;
    this.steerBacklog();
    const lost = [...this.tunnels];
    this.journalCounters(lost.map(([id, open]) => [id, open.stats]));
    for (const [tunnelId] of lost) this.forget(tunnelId);
    await Promise.allSettled(
      lost.map(async ([tunnelId]) => {
        // "starting", as after a restart: a link's "ready" reattaches only "reconnecting" tunnels, and this one reopens whole.
        await this.report(tunnelId, "starting", `${reason}: reopening`);
        await this.openApproved(tunnelId);
      }),
    );
  }

  private link(hostId: string): HostPool {
    const existing = this.links.get(hostId);
    if (existing) return existing;
    const link = new HostPool(hostId, BACKOFF, this.plane, getConfig().sshConnectionsPerHost);
    link.on("ready", () => void this.linkReady(hostId));
    link.on("down", (reason) => void this.linkDown(hostId, reason));
    link.on("shrunk", () => void this.linkShrunk(hostId));
    link.on("failed", (reason) => void this.linkFailed(hostId, reason));
    link.on("note", (message) => void this.linkNote(hostId, message));
    this.links.set(hostId, link);
    return link;
  }

  private tunnelsOf(hostId: string): string[] {
    return [...this.tunnels].filter(([, open]) => open.tunnel.hostId === hostId).map(([id]) => id);
  }

  private async linkReady(hostId: string) {
    await Promise.all(
      this.tunnelsOf(hostId).map(async (tunnelId) => {
        const status = await this.currentStatus(tunnelId);
        if (status !== "reconnecting") return; // a new tunnel attaches itself in open()
        try {
          const warning = await this.plane.call("attach", { tunnelId });
          await this.reportOpen(tunnelId, warning ?? `reconnected to ${this.tunnels.get(tunnelId)?.tunnel.hostName}`);
        } catch (error) {
          await this.drop(tunnelId);
          await this.report(tunnelId, "failed", messageOf(error));
        }
      }),
    );
  }

  private async linkDown(hostId: string, reason: string) {
    for (const tunnelId of this.tunnelsOf(hostId)) {
      await this.plane.call("detach", { tunnelId });
      await this.report(tunnelId, "reconnecting", reason);
    }
  }

  /** One of the host's connections dropped while others carry on: remote
   *  listeners on it are bound again on another; one that cannot be is
   *  reconnecting until a connection comes back. */
  private async linkShrunk(hostId: string) {
    const failed = await this.plane.call("rebind", { hostId }).catch(() => []);
    for (const [tunnelId, reason] of failed) await this.report(tunnelId, "reconnecting", reason);
  }

  /** Said in the history of the host's active tunnels. */
  private async linkNote(hostId: string, message: string) {
    for (const tunnelId of this.tunnelsOf(hostId)) await setTunnelStatus(engineCtx, { tunnelId, from: "active", to: "active", reason: message });
  }

  private async linkFailed(hostId: string, reason: string) {
    for (const tunnelId of this.tunnelsOf(hostId)) {
      await this.drop(tunnelId);
      await this.report(tunnelId, "failed", reason);
    }
  }

  /** Stops a tunnel and forgets it; the host's link goes when its last tunnel does. Answers its final counters. */
  private async drop(tunnelId: string): Promise<LiveStats | undefined> {
    const open = this.tunnels.get(tunnelId);
    this.forget(tunnelId);
    if (!open) return undefined;
    const counters = await this.teardown(tunnelId);
    if (counters) this.metrics.carried(open.tunnel.kind, open.stats, counters);
    this.metrics.closed(tunnelId);
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
        void this.expire(tunnel);
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    timer.unref();
    this.expiryTimers.set(tunnel.id, timer);
  }

  /** Closes the tunnels idle for their limit, as their owner set it within the host's policy. */
  private closeIdle() {
    const now = Date.now();
    for (const open of this.tunnels.values()) {
      const closesAt = idleClosesAt(open);
      if (closesAt && Date.parse(closesAt) <= now && !this.idling.has(open.tunnel.id)) void this.closeIdleTunnel(open.tunnel);
    }
  }

  private async closeIdleTunnel(tunnel: RuntimeTunnel) {
    this.idling.add(tunnel.id);
    try {
      const counters = await this.close(tunnel.id);
      await this.report(tunnel.id, "closed", idleReason(tunnel.idleMinutes!), counters);
    } finally {
      this.idling.delete(tunnel.id);
    }
  }

  private async expire(tunnel: RuntimeTunnel) {
    const counters = await this.close(tunnel.id);
    await this.report(tunnel.id, "expired", `expired at ${tunnel.expiresAt.toISOString()}`, counters);
  }

  private async currentStatus(tunnelId: string) {
    return (await getPrisma().tunnel.findUnique({ where: { id: tunnelId }, select: { status: true } }))?.status;
  }

  /** What the runtime reached, for a tunnel still open: a tunnel ended meanwhile keeps its end. */
  private report(tunnelId: string, to: TunnelStatus, reason: string | null, counters?: StoredCounters): Promise<boolean> {
    return setTunnelStatus(engineCtx, { tunnelId, from: OPEN_STATUSES, to, reason, counters });
  }

  private journalCounters(tunnels: [string, LiveStats][]) {
    if (tunnels.length > 0) this.commits.journal.append({ type: "counters", counters: countersOf(tunnels) });
  }

  // Once a second: a stats event for every tunnel whose counters moved, the
  // moved counters into the journal, and the journal into the database.
  private async tick() {
    await this.plane.call("snapshot", {}).catch(() => {}); // its "stats" event brings the counters up to date
    const moved: [string, LiveStats][] = [];
    const batch: StatsEvent[] = [];
    for (const [tunnelId, open] of this.tunnels) {
      const { tunnel, stats } = open;
      // A tunnel to its owner's computer also says whether their expose client holds it: attaching is news too.
      const live = { ...stats, ...(tunnel.targetClient ? { clientAttached: this.attached.has(tunnelId) } : {}), idleClosesAt: idleClosesAt(open) };
      const key = `${stats.bytesIn}/${stats.bytesOut}/${stats.connections}/${stats.connectionsTotal}/${live.clientAttached}/${live.idleClosesAt}`;
      if (this.lastStats.get(tunnelId) === key) continue;
      this.lastStats.set(tunnelId, key);
      moved.push([tunnelId, stats]);
      batch.push({ tunnelId, ownerId: tunnel.ownerId, teamId: tunnel.teamId, ...live });
    }
    if (batch.length > 0) this.emit("stats", batch);
    this.closeIdle();
    this.journalCounters(moved);
    await this.commit();
    if (Date.now() - this.leases.checkedAt >= LEASE_RENEW_MS) await this.keepLeases();
  }

  /** Renews this node's leases and reconciles its tunnels with their rows. A
   *  node that cannot renew for a whole lease (PostgreSQL, where another node
   *  may take them over) closes their listeners, and reopens the ones still
   *  its own once the database answers again. */
  private async keepLeases() {
    this.leases.checkedAt = Date.now();
    const ids = [...this.tunnels.keys()];
    try {
      await renewLeases(ids);
      this.leases.renewedAt = Date.now();
      if (this.leases.lost) await this.reopenOwned();
      await this.reconcile(ids);
      await this.takeOverOrphans();
      await this.adoptUnclaimed();
    } catch (error) {
      const expired = Date.now() - this.leases.renewedAt >= LEASE_MS;
      if (!expired || this.leases.lost || databaseProvider() !== "postgresql") return;
      this.leases.lost = true;
      log().error(`this node's tunnel leases ran out (${messageOf(error)}): closing their listeners until the database answers`);
      await Promise.all(ids.map((id) => this.drop(id)));
    }
  }

  /** Tunnels of a node that died (or lost the database) whose leases ran
   *  out: taken over here, moved to this node's address where they listened
   *  on the old node's, audited, and reopened; their owners see it live. */
  private async takeOverOrphans() {
    const { name } = getConfig().node;
    for (const orphan of await orphanedTunnels()) {
      if (!carriesHost(orphan.host.nodes, name)) continue; // for the nodes its host is pinned to
      const taken = await takeOver(orphan);
      if (!taken) continue; // another node took it first
      const why = {
        stopped: "which stopped",
        silent: "which stopped answering",
        running: `which handed it over (${orphan.host.name}'s tunnels are carried by other nodes now)`,
      }[orphan.nodeState];
      const reason = `moved from node ${orphan.nodeName}, ${why}, to node ${name}: reopening`;
      const moved = { action: "tunnel.moved" as const, tunnelId: orphan.id, details: { from: orphan.nodeName, to: name, listenAddress: taken.listenAddress } };
      await setTunnelStatus(engineCtx, { tunnelId: orphan.id, from: OPEN_STATUSES, to: "starting", reason, audit: [moved] });
      // Its node and address changed, which a status event does not carry: pages showing it reload it.
      const rooms = await getPrisma().tunnel.findUnique({ where: { id: orphan.id }, select: { ownerId: true, teamId: true } });
      if (rooms) publish(tunnelRooms(rooms), "tunnel:changed", { tunnelId: orphan.id });
      await this.openApproved(orphan.id);
    }
  }

  /** Its host's policy, changed through another node, applied here: answers whether the tunnel as it runs is no longer allowed, and closed. */
  private async reapplyPolicy(tunnelId: string, host: Parameters<typeof hostPolicy>[0] & { name: string }): Promise<boolean> {
    const policy = hostPolicy(host);
    if (JSON.stringify(policy) === JSON.stringify(this.tunnels.get(tunnelId)?.tunnel.policy)) return false;
    const running = await this.reconfigure(tunnelId, { policy });
    if (!running) return false;
    const counters = await this.close(tunnelId);
    await this.report(tunnelId, "closed", `closed: ${host.name}'s policy no longer allows it: ${running}`, counters);
    return true;
  }

  /** Tunnels requested through nodes that may not carry their host's: opened here if this node may (one node wins each claim). */
  private async adoptUnclaimed() {
    const { name } = getConfig().node;
    for (const tunnel of await unclaimedTunnels()) {
      if (hostNodes(tunnel.host.nodes).includes(name)) await this.openApproved(tunnel.id);
    }
  }

  private async reopenOwned() {
    this.leases.lost = false;
    const owned = await getPrisma().tunnel.findMany({ where: { status: { in: OPEN_STATUSES }, nodeName: getConfig().node.name }, select: { id: true } });
    for (const { id } of owned) {
      await this.report(id, "starting", "reopening: this node's lease ran out while the database was out of reach");
      await this.openApproved(id);
    }
  }

  /** Brings tunnels open here in line with their rows, which any node may
   *  have changed: one no longer open, or carried by another node, is stopped
   *  here (its status is the row's already); a new expiry, host policy,
   *  allowed sources or team is applied. */
  async reconcile(ids: string[] = [...this.tunnels.keys()]): Promise<void> {
    if (ids.length === 0) return;
    const me = getConfig().node.name;
    const rows = await getPrisma().tunnel.findMany({ where: { id: { in: ids } }, include: { host: true } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    let elsewhere = false;
    for (const id of ids) {
      const open = this.tunnels.get(id);
      const row = byId.get(id);
      if (!open) {
        elsewhere ||= Boolean(row && OPEN_STATUSES.includes(row.status));
        continue;
      }
      if (!row || !OPEN_STATUSES.includes(row.status) || row.nodeName !== me) {
        await this.drop(id);
        continue;
      }
      if (!carriesHost(row.host.nodes, me)) {
        // Its host was pinned to other nodes: they take it over now.
        await this.drop(id);
        await this.leaveToPinnedNodes(id);
        continue;
      }
      if (row.expiresAt.getTime() !== open.tunnel.expiresAt.getTime()) this.extend(id, row.expiresAt);
      // With SQLite the one node applied a policy change as it was made (lib/tunnels/reapply-host-policy.ts).
      if (databaseProvider() === "postgresql" && (await this.reapplyPolicy(id, row.host))) continue;
      const { allowedSources } = tunnelSpec(row);
      const sourcesChanged = allowedSources.join() !== open.tunnel.allowedSources.join();
      if (sourcesChanged || row.teamId !== open.tunnel.teamId)
        await this.reconfigure(id, { allowedSources: sourcesChanged ? allowedSources : undefined, teamId: row.teamId });
    }
    // Another node's tunnel changed: one handed over or waiting for a node may be this one's to take.
    if (elsewhere) {
      await this.takeOverOrphans();
      await this.adoptUnclaimed();
    }
  }
}
