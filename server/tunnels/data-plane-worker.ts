// The data plane: every SSH connection and tunnel runtime, in a worker
// thread of its own (started by data-plane.ts). It never touches the
// database; the engine decides, persists and tells, this carries bytes.
import { messageOf } from "@/lib/describe-failure";
import { parentPort, workerData } from "node:worker_threads";
import type { Client, ClientChannel, TcpConnectionDetails } from "ssh2";
import { connectSsh } from "@/lib/ssh/ssh-connect";
import type {
  DataPlaneEvent,
  DataPlaneOps,
  DataPlaneSettings,
  RefusalSummary,
  Reply,
  Request,
  StreamCommand,
  StreamNews,
  WireError,
} from "@/server/tunnels/data-plane-protocol";
import { ChannelPool, type LinkRole } from "@/server/tunnels/channel-pool";
import { RefusalDigest } from "@/server/tunnels/refusal-digest";
import { RelayedSocket } from "@/server/tunnels/relayed-socket";
import { TunnelRuntime } from "@/server/tunnels/tunnel-runtime";

type Link = { hostId: string; client: Client };

const port = parentPort!;
const links = new Map<string, Link>();
/** Each host's live SSH connections, which its tunnels' channels are spread over. */
const pools = new Map<string, ChannelPool>();
const runtimes = new Map<string, TunnelRuntime>();
/** Streams relayed by the main thread: `warren connect` connections by its numbers, `warren expose` ones by ours (below 0). */
const relayed = new Map<number, RelayedSocket>();
let lastIncoming = 0;
const refusals = new RefusalDigest();
const settings = workerData as DataPlaneSettings;

// Events and answers leave in one message per turn of the event loop, in
// order: a connection's "opened" is then a push onto an array, not a
// structured clone on the way to its first byte.
// Chunks of connect streams are transferred with them.
let outbox: (DataPlaneEvent | Reply | StreamNews)[] = [];
/** Why new connections are refused now, if they are (refuseNew). */
let refusingNew: string | null = null;
let transfers: ArrayBuffer[] = [];

function send(message: DataPlaneEvent | Reply | StreamNews, transfer?: ArrayBuffer) {
  if (outbox.length === 0) setImmediate(flush);
  outbox.push(message);
  if (transfer) transfers.push(transfer);
}

function flush() {
  port.postMessage(outbox, transfers);
  outbox = [];
  transfers = [];
}

function sendSummaries(summaries: RefusalSummary[]) {
  for (const summary of summaries) send({ event: "refused-many", ...summary });
}

setInterval(() => sendSummaries(refusals.drain()), settings.refusalSummaryMs).unref();

function poolOf(hostId: string): ChannelPool {
  let pool = pools.get(hostId);
  if (!pool) {
    pool = new ChannelPool(() => send({ event: "pool-busy", hostId }));
    pools.set(hostId, pool);
  }
  return pool;
}

function runtime(tunnelId: string): TunnelRuntime {
  const found = runtimes.get(tunnelId);
  if (!found) throw new Error(`tunnel ${tunnelId} is not open in the data plane`);
  return found;
}

/** Remote forwards arrive on the SSH connection as a whole: each goes to its tunnel. */
function dispatchRemote(hostId: string, info: TcpConnectionDetails, accept: () => ClientChannel, reject: () => void) {
  for (const candidate of runtimes.values()) {
    const { tunnel } = candidate;
    if (tunnel.hostId === hostId && tunnel.kind === "remote" && tunnel.listenPort === info.destPort) return candidate.acceptRemote(info, accept, reject);
  }
  reject();
}

function adopt(linkId: string, hostId: string, client: Client, role: LinkRole) {
  links.set(linkId, { hostId, client });
  poolOf(hostId).add(linkId, client, role);
  let lastError = "";
  client.on("error", (error) => (lastError = error.message));
  client.on("tcp connection", (info, accept, reject) => dispatchRemote(hostId, info, accept, reject));
  client.once("close", () => {
    pools.get(hostId)?.remove(linkId);
    if (!links.delete(linkId)) return; // disconnected on purpose
    send({ event: "link-closed", linkId, reason: lastError });
  });
}

const ops: DataPlaneOps = {
  async refuseNew({ reason }) {
    refusingNew = reason;
  },

  async connect({ linkId, hostId, target, role }) {
    const connecting = connectSsh(target);
    if (role === "names") poolOf(hostId).expectNames(connecting);
    const { client, fingerprint } = await connecting;
    adopt(linkId, hostId, client, role);
    return { fingerprint };
  },

  async disconnect({ linkId }) {
    const link = links.get(linkId);
    links.delete(linkId);
    if (link) pools.get(link.hostId)?.remove(linkId);
    link?.client.end();
  },

  async listen({ tunnel, counters }) {
    const { id, hostId } = tunnel;
    const opened = new TunnelRuntime(
      tunnel,
      {
        connectionOpened: ({ id: connectionId, source, destination, via }) =>
          send({ event: "opened", tunnelId: id, connectionId, hostId, source, destination, via, stats: opened.stats() }),
        connectionClosed: (record) => send({ event: "closed", hostId, record, stats: opened.stats() }),
        refusingNew: () => refusingNew,
        connectionRefused: (refusal) => {
          if (refusals.admit(tunnel, refusal)) send({ event: "refused", tunnelId: id, hostId, ...refusal });
        },
        relayToClient: (source) => {
          lastIncoming -= 1;
          const stream = lastIncoming;
          const socket = new RelayedSocket(stream, source, send);
          relayed.set(stream, socket);
          socket.once("close", () => relayed.delete(stream));
          send({ stream, news: "incoming", tunnelId: id, source });
          return socket;
        },
      },
      counters,
      poolOf(hostId),
    );
    await opened.listen();
    runtimes.set(id, opened);
  },

  async attach({ tunnelId }) {
    const target = runtime(tunnelId);
    const member = poolOf(target.tunnel.hostId).bindTarget();
    if (!member) throw new Error(`the SSH connection to ${target.tunnel.hostName} is down; Warren is reconnecting`);
    return target.attach(member.client);
  },

  async rebind({ hostId }) {
    const failed: [string, string][] = [];
    for (const [tunnelId, open] of runtimes) {
      if (open.tunnel.hostId !== hostId || !open.boundOnLost) continue;
      const member = poolOf(hostId).bindTarget();
      try {
        if (!member) throw new Error(`the SSH connection to ${open.tunnel.hostName} is down; Warren is reconnecting`);
        await open.attach(member.client);
      } catch (error) {
        open.detach();
        failed.push([tunnelId, messageOf(error)]);
      }
    }
    return failed;
  },

  async pool({ hostId }) {
    return pools.get(hostId)?.snapshot() ?? [];
  },

  async setClientAddress({ tunnelId, address }) {
    const open = runtimes.get(tunnelId);
    if (open) open.clientAddress = address;
  },

  async detach({ tunnelId }) {
    runtimes.get(tunnelId)?.detach();
  },

  async teardown({ tunnelId }) {
    const closing = runtimes.get(tunnelId);
    if (!closing) return undefined;
    runtimes.delete(tunnelId);
    await closing.teardown();
    sendSummaries(refusals.drain(tunnelId));
    return closing.stats();
  },

  async setAllowedSources({ tunnelId, sources }) {
    runtimes.get(tunnelId)?.setAllowedSources(sources);
  },

  async setPolicy({ tunnelId, policy }) {
    return runtimes.get(tunnelId)?.setPolicy(policy);
  },

  async connections({ tunnelId }) {
    return runtimes.get(tunnelId)?.openConnections();
  },

  async kill({ tunnelId, connectionId, reason }) {
    return runtimes.get(tunnelId)?.kill(connectionId, reason);
  },

  async snapshot() {
    send({ event: "stats", tunnels: [...runtimes].map(([id, open]) => [id, open.stats()]) });
  },
};

function wireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const { name, message, code, step, offeredFingerprint } = error as Error & Partial<WireError>;
  return { name, message, code, step, offeredFingerprint };
}

/** Opens a connect stream in its tunnel, or says at once that it cannot. */
function openStream({ stream, tunnelId, source, via }: Extract<StreamCommand, { do: "open" }>) {
  const socket = new RelayedSocket(stream, source, send);
  const target = runtimes.get(tunnelId);
  if (!target) return void socket.resetAndDestroy("the tunnel is not open");
  relayed.set(stream, socket);
  socket.once("close", () => relayed.delete(stream));
  target.acceptRelayed(socket, source, via);
}

function onStreamCommand(command: StreamCommand) {
  if (command.do === "open") return openStream(command);
  const socket = relayed.get(command.stream);
  if (!socket) return;
  if (command.do === "data") socket.feed(command.chunk);
  else if (command.do === "end") socket.endFromPeer();
  else if (command.do === "credit") socket.credit(command.bytes);
  else socket.resetFromPeer(command.reason);
}

port.on("message", (message: Request | StreamCommand[]) => {
  if (Array.isArray(message)) {
    for (const command of message) onStreamCommand(command);
    return;
  }
  const request = message;
  const run = ops[request.op] as (input: unknown) => Promise<unknown>;
  run(request.input).then(
    (value) => send({ id: request.id, ok: true, value }),
    (error: unknown) => send({ id: request.id, ok: false, error: wireError(error) }),
  );
});
