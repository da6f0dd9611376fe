// One open tunnel inside the engine: its listener (local, dynamic) or its
// forwarding on the SSH host (remote), the connections it carries, and its
// byte counters. It knows nothing of the database; the engine persists.
import { randomUUID } from "node:crypto";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { Client, ClientChannel, TcpConnectionDetails } from "ssh2";
import { idleReason } from "@/lib/format";
import { sshSocketOf } from "@/lib/ssh/ssh-connect";
import type { ChannelPool } from "@/server/tunnels/channel-pool";
import { TunnelOpenError, type LiveStats, type OpenConnection } from "@/lib/tunnels/engine-port";
import { resolveBastionTarget } from "@/lib/tunnels/bastion-target";
import { destinationRefusal } from "@/lib/tunnels/host-policy";
import { isLoopback, isWildcard, sourceAllowed } from "@/lib/tunnels/tunnel-rules";
import type { HostPolicy } from "@/lib/validation/host-policy";
import { nudgeNoDelay } from "@/server/tunnels/nudge-no-delay";
import { negotiateSocks, replyCodeFor } from "@/server/tunnels/socks-negotiation";
import { splice, type Meter, type SpliceEnds } from "@/server/tunnels/splice";
import { targetReads, type TargetReads } from "@/server/tunnels/target-reads";
import type { ConnectionRecord, ConnectPerson, RuntimeTunnel } from "@/server/tunnels/data-plane-protocol";
import { RelayedSocket } from "@/server/tunnels/relayed-socket";

export type RuntimeHooks = {
  connectionOpened(record: Required<Pick<ConnectionRecord, "id">> & Pick<ConnectionRecord, "tunnelId" | "source" | "destination" | "via">): void;
  connectionClosed(record: ConnectionRecord): void;
  /** Turned away by policy before anything was forwarded. */
  connectionRefused(refusal: { source: string; destination: string | null; reason: string; via?: ConnectPerson }): void;
  /** Why every new connection is refused now (Warren's records are behind), or null. */
  refusingNew(): string | null;
  /** A stream to the tunnel's `warren expose` client, relayed by the main thread (which resets it when none is attached). */
  relayToClient(source: string): RelayedSocket;
};

/** A connection being carried: its ends once known (to cut it), its meter, and why it was cut, if it was. */
type Carried = { id: string; source: string; destination: string | null; openedAt: Date; meter: Meter; ends: Duplex[]; done?: Promise<void>; killed?: string };

/** A connection once its other end is open, the SOCKS destination it asked for, and the SSH connection carrying its channel (the tunnel's own when none is named). */
type Opened = Pick<SpliceEnds, "socket" | "channel" | "socketIs" | "reads" | "first"> & { destination?: string; carrier?: Client };

const LISTEN_ERRORS: Record<string, (t: RuntimeTunnel) => TunnelOpenError> = {
  EADDRINUSE: (t) => new TunnelOpenError("port_in_use", `port ${t.listenPort} is already in use on the bastion`),
  EADDRNOTAVAIL: (t) => new TunnelOpenError("address_unavailable", `${t.listenAddress} is not an address of the bastion`),
  EACCES: (t) => new TunnelOpenError("port_forbidden", `Warren is not allowed to listen on port ${t.listenPort} on the bastion`),
};

/** The SSH connection itself is down or failed: no far end was asked. */
class LinkDown extends Error {}

const SSH2_OPEN_FAILURE = "(SSH) Channel open failure: ";

/** Words for the owner, with what sshd said (its strerror or resolver text);
 *  the ssh2 error stays as `cause` for SOCKS reply codes. */
function channelError(error: Error & { reason?: number }, host: string, port: number, via: string): Error {
  // RFC 4254 §5.1 reason codes: 1 administratively prohibited, 2 connect failed.
  const said = error.message.startsWith(SSH2_OPEN_FAILURE) ? error.message.slice(SSH2_OPEN_FAILURE.length) : error.message;
  if (error.reason === undefined) return new LinkDown(`the SSH connection to ${via} failed (${error.message})`, { cause: error });
  const message =
    error.reason === 1
      ? `${via} does not allow forwarding to ${host}:${port} (administratively prohibited)`
      : /^connection refused$/i.test(said)
        ? `${host}:${port} refused the connection (as reached from ${via})`
        : `${via} could not connect to ${host}:${port}: ${said || "no reason given"}`;
  return new Error(message, { cause: error });
}

/** What a connection's client end is: a listener's TCP socket or a `warren connect` stream. */
type ClientEnd = net.Socket | RelayedSocket;

function forwardOut(client: Client, source: ClientEnd, host: string, port: number, via: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut(source.remoteAddress ?? "127.0.0.1", source.remotePort ?? 0, host, port, (error, channel) =>
      error ? reject(channelError(error, host, port, via)) : resolve(channel),
    );
  });
}

type TargetSocket = { socket: net.Socket; reads: TargetReads };

/** Connects to one checked address; `dialing` holds the socket until it is connected, for a teardown to cut. */
function connectAddress(address: string, port: number, dialing: Set<net.Socket>): Promise<TargetSocket> {
  return new Promise((resolve, reject) => {
    const reads = targetReads();
    const socket = net.connect({ host: address, port, allowHalfOpen: true, onread: reads.onread });
    dialing.add(socket);
    socket.once("connect", () => {
      dialing.delete(socket);
      socket.removeAllListeners("error");
      resolve({ socket, reads });
    });
    socket.once("error", (error) => {
      dialing.delete(socket);
      reject(error);
    });
    socket.once("close", () => reject(new Error("closed while connecting")));
  });
}

/** Tries the addresses a target resolved to, in the resolver's order, until one answers or the tunnel closes. */
async function connectTarget(addresses: string[], host: string, port: number, dialing: Set<net.Socket>, closed: () => boolean): Promise<TargetSocket> {
  let last: NodeJS.ErrnoException | undefined;
  for (const address of addresses) {
    if (closed()) throw new Error("the tunnel closed");
    try {
      return await connectAddress(address, port, dialing);
    } catch (error) {
      last = error as NodeJS.ErrnoException;
    }
  }
  const where = `${host}:${port}${addresses.length > 1 || addresses[0] !== host ? ` (${addresses.join(", ")})` : ""}`;
  throw new Error(
    last?.code === "ECONNREFUSED"
      ? `${where} refused the connection (as reached from the bastion)`
      : `cannot reach ${where} from the bastion (${last?.code ?? last?.message})`,
  );
}

const SOURCE_REFUSED = "source address not allowed";

class PolicyRefusal extends Error {}

/** A connection whose far end could not be opened: a reset where the client
 *  already sent something (as `ssh -L`, whose close() of unread data resets),
 *  or always (`reset`), so that failure never looks like a clean, empty answer. */
function hangUp(socket: ClientEnd, reset: boolean, error: Error) {
  if (socket.destroyed) return;
  // The laptop's client cannot tell unread data from none: it always hears a reset, with why.
  if (socket instanceof RelayedSocket) socket.resetAndDestroy(error.message);
  else if (reset || socket.bytesRead > 0) socket.resetAndDestroy();
  else socket.destroy();
}

export class TunnelRuntime {
  private readonly meter: Meter = { bytesIn: 0, bytesOut: 0 };
  private connections = 0;
  private connectionsTotal = 0;
  /** Set while the host has a live SSH connection (attach); a remote tunnel's is the one its listener is bound on. */
  private client: Client | undefined;
  private server: net.Server | undefined;
  private readonly sockets = new Set<Duplex>();
  /** The SOCKS destination of each open connection of a dynamic tunnel. */
  private readonly destinations = new Map<Duplex, string>();
  private readonly inflight = new Set<Promise<void>>();
  /** The connections being carried, by id. */
  private readonly carried = new Map<string, Carried>();
  /** Remote tunnels' target sockets still connecting. */
  private readonly dialing = new Set<net.Socket>();
  private closed = false;
  /** A remote tunnel to its owner's computer: the address of the expose client holding it, for its connections' records. */
  clientAddress: string | null = null;
  /** "address:port" of our own GatewayPorts probes, so they are not carried as connections. */
  private readonly probes = new ProbeArrivals();
  /** sshd listens on every address of the host although the request named one (GatewayPorts yes). */
  private boundPublicly = false;

  constructor(
    readonly tunnel: RuntimeTunnel,
    private readonly hooks: RuntimeHooks,
    counters: { bytesIn: number; bytesOut: number; connectionsTotal: number },
    /** The host's SSH connections, which local and dynamic tunnels' channels are spread over. */
    private readonly pool: ChannelPool,
  ) {
    this.meter.bytesIn = counters.bytesIn;
    this.meter.bytesOut = counters.bytesOut;
    this.connectionsTotal = counters.connectionsTotal;
  }

  stats(): LiveStats {
    return { ...this.meter, connections: this.connections, connectionsTotal: this.connectionsTotal };
  }

  /** The connections open now, with their bytes so far. */
  openConnections(): OpenConnection[] {
    return [...this.carried.values()].map(({ id, source, destination, openedAt, meter }) => ({ id, source, destination, openedAt, ...meter }));
  }

  /** Cuts one connection, `reason` becoming its record's error; answers it once its record was reported (undefined: none open with that id). */
  async kill(connectionId: string, reason: string): Promise<OpenConnection | undefined> {
    const connection = this.carried.get(connectionId);
    if (!connection || connection.killed) return undefined;
    const { id, source, destination, openedAt, meter } = connection;
    connection.killed = reason;
    for (const end of connection.ends) end.destroy();
    await connection.done;
    return { id, source, destination, openedAt, ...meter };
  }

  /** Binds the Warren-side listener (local, dynamic), if it has one. It keeps its port while the SSH link is down. */
  listen(): Promise<void> {
    if (this.tunnel.kind === "remote" || this.tunnel.listenPort === null) return Promise.resolve();
    // allowHalfOpen: a client that shuts down writing still gets its answer.
    const server = net.createServer({ allowHalfOpen: true }, (socket) => this.onClient(socket));
    return new Promise((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        const known = error.code ? LISTEN_ERRORS[error.code] : undefined;
        reject(known ? known(this.tunnel) : error);
      });
      server.listen({ host: this.tunnel.listenAddress ?? undefined, port: this.tunnel.listenPort ?? undefined, exclusive: true }, () => {
        server.removeAllListeners("error");
        server.on("error", () => {});
        this.server = server;
        resolve();
      });
    });
  }

  /** Called when the host has a live SSH connection (again), `client` one of
   *  them. For remote tunnels this asks the SSH server to listen on `client`;
   *  answers a warning for the owner, if any. */
  async attach(client: Client): Promise<string | undefined> {
    this.client = client;
    if (this.tunnel.kind !== "remote") return undefined;
    // A remote tunnel always has both (createTunnelSchema).
    const { hostName } = this.tunnel;
    const listenAddress = this.tunnel.listenAddress!;
    const listenPort = this.tunnel.listenPort!;
    await nudgeNoDelay(client);
    await new Promise<void>((resolve, reject) =>
      client.forwardIn(listenAddress, listenPort, (error) =>
        error
          ? reject(
              new TunnelOpenError(
                "remote_refused",
                `${hostName} refused to listen on ${listenAddress}:${listenPort}: the port may be in use there, or its sshd does not allow remote forwarding (AllowTcpForwarding)`,
              ),
            )
          : resolve(),
      ),
    );
    return this.checkRemoteBind();
  }

  detach() {
    this.client = undefined;
  }

  /** A remote tunnel whose listener was on an SSH connection of its host's that is gone. */
  get boundOnLost(): boolean {
    return this.tunnel.kind === "remote" && this.client !== undefined && !this.pool.has(this.client);
  }

  /** New allowed sources apply to the next connection, and cut open ones from a source no longer allowed. */
  setAllowedSources(sources: string[]) {
    this.tunnel.allowedSources = sources;
    for (const socket of this.sockets) {
      if (socket instanceof net.Socket && !sourceAllowed(socket.remoteAddress, sources)) socket.destroy();
    }
  }

  /** A new host policy: SOCKS destinations it no longer allows are refused
   *  from the next connection on, and open connections to them are cut.
   *  Answers why the tunnel itself is no longer allowed (a public bind), if it is not. */
  setPolicy(policy: HostPolicy): string | undefined {
    this.tunnel.policy = policy;
    for (const [socket, destination] of this.destinations) {
      if (destinationRefusal(policy, this.tunnel.hostName, splitDestination(destination))) socket.destroy();
    }
    return this.publicBindRefusal();
  }

  /** A connection arriving on the SSH host's side of a remote tunnel. As
   *  `ssh -R`, the target is dialled first: its channel is accepted once the
   *  target answered, and rejected if it did not. */
  acceptRemote(info: TcpConnectionDetails, accept: () => ClientChannel, reject: () => void) {
    const source = `${info.srcIP.replace(/^::ffff:/, "")}:${info.srcPort}`;
    if (this.probes.delete(source)) return reject();
    if (!sourceAllowed(info.srcIP, this.tunnel.allowedSources)) {
      this.hooks.connectionRefused({ source, destination: null, reason: SOURCE_REFUSED });
      return reject();
    }
    if (this.refusedNew(source)) return reject();
    const client = this.client;
    if (this.tunnel.targetClient) return this.acceptForClient(source, accept);
    this.carry(source, async () => {
      let target: TargetSocket;
      try {
        target = await this.dialTarget(source);
      } catch (error) {
        if (this.client === client) reject();
        throw error;
      }
      if (this.client !== client || !client) {
        target.socket.destroy();
        throw new Error(`the SSH connection to ${this.tunnel.hostName} closed while ${this.tunnel.targetHost}:${this.tunnel.targetPort} answered`);
      }
      const channel = accept();
      this.sockets.add(channel);
      return { ...target, channel, socketIs: "target" };
    });
  }

  /** A connection for the owner's computer: accepted at once (sshd has already accepted it at the gateway) and
   *  relayed to the `warren expose` client, which dials the service on its side; one it cannot reach is reset. */
  private acceptForClient(source: string, accept: () => ClientChannel) {
    const socket = this.hooks.relayToClient(source);
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    const via: ConnectPerson = { userId: this.tunnel.ownerId, email: this.tunnel.ownerEmail, by: "expose", client: this.clientAddress ?? undefined };
    this.carry(
      source,
      async () => {
        const channel = accept();
        this.sockets.add(channel);
        return { socket, channel, socketIs: "target" };
      },
      undefined,
      via,
    );
  }

  /** Resolves the target once, refuses the bastion's own addresses, and dials what was checked. */
  private async dialTarget(source: string): Promise<TargetSocket> {
    const { targetHost, targetPort, policy, hostName } = this.tunnel;
    const host = targetHost!;
    const checked = await resolveBastionTarget(policy, hostName, host).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${host} does not resolve on the bastion (${error.code ?? error.message})`);
    });
    if ("refusal" in checked) {
      this.hooks.connectionRefused({ source, destination: `${host}:${targetPort}`, reason: `destination not allowed: ${checked.refusal}` });
      throw new PolicyRefusal();
    }
    return connectTarget(checked.addresses, host, targetPort!, this.dialing, () => this.closed);
  }

  async teardown() {
    this.closed = true;
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise((resolve) => server.close(resolve)) : Promise.resolve();
    for (const socket of [...this.sockets, ...this.dialing]) socket.destroy();
    // Their records are reported before teardown resolves, so none is lost.
    await Promise.allSettled(this.inflight);
    if (this.tunnel.kind === "remote" && this.client) {
      try {
        this.client.unforwardIn(this.tunnel.listenAddress!, this.tunnel.listenPort!);
      } catch {
        // the SSH connection is already gone, and with it the remote listener
      }
    }
    this.client = undefined;
    await closed;
  }

  private onClient(socket: net.Socket) {
    const source = `${socket.remoteAddress}:${socket.remotePort}`;
    if (!sourceAllowed(socket.remoteAddress, this.tunnel.allowedSources)) {
      socket.destroy();
      this.hooks.connectionRefused({ source, destination: null, reason: SOURCE_REFUSED });
      return;
    }
    if (this.refusedNew(source)) return void socket.destroy();
    this.sockets.add(socket);
    this.carry(source, () => (this.tunnel.kind === "dynamic" ? this.openSocks(socket, source) : this.openLocal(socket)), socket);
  }

  /** A connection from a person's laptop through `warren connect`, relayed by
   *  the main thread, which checked who it is: no source-address check here
   *  (the identity is the check); SOCKS destinations are checked as always. */
  acceptRelayed(socket: RelayedSocket, source: string, via: ConnectPerson) {
    if (this.refusedNew(source, via)) return void socket.destroy();
    this.sockets.add(socket);
    this.carry(source, () => (this.tunnel.kind === "dynamic" ? this.openSocks(socket, source, via) : this.openLocal(socket)), socket, via);
  }

  /** Whether the connection is refused because Warren's records are behind (reported as any refusal). */
  private refusedNew(source: string, via?: ConnectPerson): boolean {
    const reason = this.hooks.refusingNew();
    if (reason) this.hooks.connectionRefused({ source, destination: null, reason, via });
    return reason !== null;
  }

  /** A channel to `host:port` on the SSH connection the pool picks for it. */
  private async openChannel(socket: ClientEnd, host: string, port: number): Promise<{ channel: ClientChannel; carrier: Client }> {
    const { hostName } = this.tunnel;
    const member = this.client && (await this.pool.pick(host));
    if (!member) throw new LinkDown(`the SSH connection to ${hostName} is down; Warren is reconnecting`);
    return { channel: await this.pool.track(member, forwardOut(member.client, socket, host, port, hostName)), carrier: member.client };
  }

  private async openLocal(socket: ClientEnd): Promise<Opened> {
    const { targetHost, targetPort } = this.tunnel;
    return { socket, ...(await this.openChannel(socket, targetHost!, targetPort!)), socketIs: "client" };
  }

  private async openSocks(socket: ClientEnd, source: string, via?: ConnectPerson): Promise<Opened> {
    const request = await negotiateSocks(socket);
    const destination = `${request.host.includes(":") ? `[${request.host}]` : request.host}:${request.port}`;
    const refusal = destinationRefusal(this.tunnel.policy, this.tunnel.hostName, request);
    if (refusal) {
      request.reply("not-allowed");
      this.hooks.connectionRefused({ source, destination, reason: `destination not allowed: ${refusal.message}`, via });
      throw new PolicyRefusal();
    }
    try {
      const { channel, carrier } = await this.openChannel(socket, request.host, request.port);
      request.reply("succeeded");
      // What the client sent after its request goes first, through the splice (and its meters);
      // the socket may have ended since, which the splice passes on too.
      return { socket, channel, carrier, socketIs: "client", destination, first: request.leftover };
    } catch (error) {
      request.reply(replyCodeFor((error as Error).cause ?? error));
      throw Object.assign(error as Error, { destination });
    }
  }

  /** A connection that moves no byte either way for the tunnel's idle limit is
   *  ended (a client that left without a word while its target reads nothing
   *  would otherwise hold it for good). Every byte crosses its TCP socket, so
   *  that socket's inactivity is the connection's. */
  private endWhenIdle(socket: Duplex) {
    const { idleMinutes } = this.tunnel;
    if (!idleMinutes || !(socket instanceof net.Socket)) return;
    socket.setTimeout(idleMinutes * 60_000, () => socket.destroy(new Error(idleReason(idleMinutes))));
  }

  /** Tracks one connection from open to close and reports it. `client` is the
   *  socket that connected to Warren's listener; a remote tunnel has none
   *  until its channel is accepted (open() then adds it to `sockets`). */
  private carry(source: string, open: () => Promise<Opened>, client?: ClientEnd, via?: ConnectPerson) {
    const meter: Meter = { bytesIn: 0, bytesOut: 0 };
    const openedAt = new Date();
    const carried: Carried = { id: randomUUID(), source, destination: null, openedAt, meter, ends: client ? [client] : [] };
    this.carried.set(carried.id, carried);
    this.connections += 1;
    this.connectionsTotal += 1;
    let clientEnd: Duplex | undefined = client;
    const finish = (destination: string | null, error: Error | undefined) => {
      this.carried.delete(carried.id);
      if (clientEnd) {
        this.sockets.delete(clientEnd);
        this.destinations.delete(clientEnd);
      }
      this.connections -= 1;
      this.hooks.connectionClosed({
        id: carried.id,
        tunnelId: this.tunnel.id,
        source,
        destination,
        bytesIn: meter.bytesIn,
        bytesOut: meter.bytesOut,
        openedAt,
        closedAt: new Date(),
        // Cut on purpose: that, rather than how the cut looked from inside.
        error: carried.killed ?? error?.message ?? null,
        via,
      });
    };
    client?.on("error", () => {}); // errors before the splice are reported through open()'s rejection
    const done = open().then(
      async ({ destination, carrier, ...ends }) => {
        clientEnd = ends.socketIs === "client" ? ends.socket : ends.channel;
        carried.destination = destination ?? null;
        carried.ends = [ends.socket, ends.channel];
        // Cut while it opened: the splice finds its ends gone and it is over at once.
        if (carried.killed) for (const end of carried.ends) end.destroy();
        this.hooks.connectionOpened({ id: carried.id, tunnelId: this.tunnel.id, source, destination: destination ?? null, via });
        if (destination) this.destinations.set(clientEnd, destination);
        this.endWhenIdle(ends.socket);
        finish(destination ?? null, await splice({ ...ends, meters: [meter, this.meter], sshSocket: sshSocketOf((carrier ?? this.client)!) }));
      },
      (error: Error & { destination?: string }) => {
        // With the SSH link down there is no far end to blame: always a reset.
        if (client) hangUp(client, error instanceof LinkDown, error);
        if (error instanceof PolicyRefusal) {
          // Already reported as refused; it never became a connection.
          if (client) this.sockets.delete(client);
          this.carried.delete(carried.id);
          this.connections -= 1;
          this.connectionsTotal -= 1;
          return;
        }
        finish(error.destination ?? null, error);
      },
    );
    carried.done = done;
    this.inflight.add(done);
    void done.finally(() => this.inflight.delete(done));
  }

  /** What sshd really bound, as a warning for the owner; a bind wider than
   *  the policy allows is refused with the reason (the engine's teardown cancels it). */
  private async checkRemoteBind(): Promise<string | undefined> {
    const { listenPort, hostName } = this.tunnel;
    const listenAddress = this.tunnel.listenAddress!;
    const outcome = await this.probeGatewayPorts();
    if (outcome === undefined) return undefined;
    if (isWildcard(listenAddress)) {
      return outcome === "forwarded"
        ? undefined
        : `${hostName} listens on its loopback only: its sshd has GatewayPorts off, so ${listenAddress}:${listenPort} is reachable only from ${hostName} itself`;
    }
    this.boundPublicly = outcome === "forwarded";
    const refusal = this.publicBindRefusal();
    if (refusal) throw new Error(refusal);
    return this.boundPublicly
      ? `${this.publicBindFinding()}; to keep ${listenAddress} as asked, set GatewayPorts clientspecified in its sshd_config`
      : undefined;
  }

  private publicBindFinding(): string {
    const { listenAddress, listenPort, hostName } = this.tunnel;
    return `${hostName}'s sshd has GatewayPorts yes: ${listenAddress}:${listenPort} is listening on every address of ${hostName}`;
  }

  /** Why the bind sshd made is not one the host's policy allows, if it is not. */
  private publicBindRefusal(): string | undefined {
    if (!this.boundPublicly || this.tunnel.policy.publicBinds) return undefined;
    return `${this.publicBindFinding()}, and its policy allows listening on loopback only: Warren cancelled it. Set GatewayPorts clientspecified in ${this.tunnel.hostName}'s sshd_config (it keeps 127.0.0.1 on loopback and still honours an explicit 0.0.0.0)`;
  }

  // Connecting to the host's address from the bastion tells where sshd really
  // listens: with GatewayPorts off it binds a wildcard request to its loopback,
  // with GatewayPorts yes it binds any request (even 127.0.0.1) to every
  // address. Only a connection sshd forwards back to us proves the listener is
  // ours. Nothing to tell when the request named the host's own address, or
  // when the host is the bastion's loopback.
  private async probeGatewayPorts(): Promise<ProbeOutcome | undefined> {
    const { listenAddress, listenPort, hostAddress } = this.tunnel;
    if (isLoopback(hostAddress) || listenAddress === hostAddress) return undefined;
    // One attempt (no family autoselection), so the probe has one port from start to end.
    const probe = net.connect({ host: hostAddress, port: listenPort!, autoSelectFamily: false });
    probe.on("error", () => {});
    probe.setTimeout(PROBE_TIMEOUT_MS, () => probe.destroy());
    // sshd may forward the probe back before its "connect" event is handled:
    // it is expected from the moment the kernel gives it a port, just after
    // its connection attempt starts and before any I/O is handled.
    let arrival: Promise<boolean> = Promise.resolve(false);
    probe.once("connectionAttempt", () => process.nextTick(() => (arrival = this.probes.expect(sourceOf(probe), PROBE_TIMEOUT_MS))));
    const connected = await new Promise<boolean>((resolve) => {
      probe.once("connect", () => resolve(true));
      probe.once("close", () => resolve(false));
    });
    const forwarded = connected && (await arrival);
    this.probes.forget(sourceOf(probe));
    probe.destroy();
    return !connected ? "unreachable" : forwarded ? "forwarded" : "someone-else";
  }
}

/** A socket's own end as sshd reports it for a forwarded connection: "address:port". */
const sourceOf = (socket: net.Socket) => `${socket.localAddress?.replace(/^::ffff:/, "")}:${socket.localPort}`;

/** "[::1]:80" or "db.internal:5432" back to its host and port. */
function splitDestination(destination: string): { host: string; port: number } {
  const colon = destination.lastIndexOf(":");
  return { host: destination.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port: Number(destination.slice(colon + 1)) };
}

/** "unreachable": nothing listens on the host's address at that port; "someone-else": something does, but not sshd for us. */
type ProbeOutcome = "unreachable" | "forwarded" | "someone-else";

/** For the probe's connection, and for sshd to forward it back: seconds on a loaded machine. */
const PROBE_TIMEOUT_MS = 10_000;

/** Probes waiting for sshd to forward their connection back; `delete` is their arrival. */
class ProbeArrivals {
  private readonly waiting = new Map<string, (arrived: boolean) => void>();

  expect(source: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(source, false), timeoutMs);
      timer.unref();
      this.waiting.set(source, (arrived) => {
        clearTimeout(timer);
        resolve(arrived);
      });
    });
  }

  delete(source: string): boolean {
    return this.settle(source, true);
  }

  /** A probe that will not arrive (it failed to connect). */
  forget(source: string) {
    this.settle(source, false);
  }

  private settle(source: string, arrived: boolean): boolean {
    const resolve = this.waiting.get(source);
    if (!resolve) return false;
    this.waiting.delete(source);
    resolve(arrived);
    return true;
  }
}
