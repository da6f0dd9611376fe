// A host's pool of SSH connections, with the engine in-process against a real
// sshd and database. sshd serves each connection in processes of its own,
// found here by the TCP ports of their sockets (`ss`): stopping them
// (SIGSTOP) stalls one connection as a slow name lookup inside sshd would,
// killing them (SIGKILL) drops it. The channels' sshd processes show which
// connection carried each.
import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemCtx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { createHost } from "@/lib/hosts";
import { setTunnelStatus } from "@/lib/tunnels/set-tunnel-status";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import { createUser } from "@/lib/users";
import { createUserSchema } from "@/lib/validation/users";
import type { Feature } from "@/server/feature";
import { registerNode } from "@/server/nodes/node-registry";
import { CHANNELS_PER_CONNECTION, type PoolSnapshot } from "@/server/tunnels/channel-pool";
import { TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { auditedConnections } from "@/tests/harness/audited-connections";
import { useTestDatabase } from "@/tests/harness/test-database";

const execFileAsync = promisify(execFile);

let db: Awaited<ReturnType<typeof useTestDatabase>>;
let node: Feature | undefined;
let sshd: SshdHandle;
let echo: TcpServer;
let hostId: string;
let ownerId: string;
const ctx = systemCtx("test");

beforeAll(async () => {
  db = await useTestDatabase();
  node = await registerNode();
  [sshd, echo] = await Promise.all([startSshd(), startEchoServer()]);
  hostId = (await createHost({ ctx, input: { name: "lab", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey } })).id;
  ownerId = (await createUser({ ctx, input: createUserSchema.parse({ email: "owner@example.com", password: "correct horse battery" }) })).id;
});

afterAll(async () => {
  await node?.stop();
  await Promise.all([sshd?.dispose(), echo?.close()]);
  await db?.dispose();
});

type Kind = "local" | "dynamic" | "remote";

/** A tunnel row through `host`, opened by `engine`; answers its id and port. */
async function openTunnel(engine: TunnelEngine, kind: Kind, target: { host: string; port: number } | null = null, host = hostId) {
  const listenPort = await freePortInRange();
  const tunnel = await getPrisma().tunnel.create({
    data: {
      kind,
      hostId: host,
      ownerId,
      listenAddress: "127.0.0.1",
      listenPort,
      targetHost: target?.host ?? null,
      targetPort: target?.port ?? null,
      expiresAt: new Date(Date.now() + 3_600_000),
      status: "starting",
    },
  });
  await engine.open(tunnel.id);
  return { id: tunnel.id, port: listenPort };
}

/** Writes `text` and resolves once it is echoed back. */
function roundTrip(socket: net.Socket, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = "";
    const onData = (chunk: Buffer) => {
      received += chunk.toString();
      if (!received.endsWith(text)) return;
      socket.off("data", onData);
      socket.removeAllListeners("close");
      resolve();
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.once("close", () => reject(new Error(`closed before "${text}" came back`)));
    socket.write(text);
  });
}

/** A long-lived connection through a local tunnel's listener to an echo server, answering. */
async function openEcho(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await roundTrip(socket, "ping");
  return socket;
}

/** A long-lived SOCKS5 connection to `host:port` through a dynamic tunnel, answering. */
async function openSocks(port: number, host: string, targetPort: number): Promise<net.Socket> {
  const socket = net.connect({ host: "127.0.0.1", port });
  const address = net.isIPv4(host) ? Buffer.from([1, ...host.split(".").map(Number)]) : Buffer.concat([Buffer.from([3, host.length]), Buffer.from(host)]);
  const request = Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0]), address, Buffer.from([targetPort >> 8, targetPort & 0xff])]);
  // Greeting, request and a first payload at once: the echo of "ping" follows the replies.
  await new Promise<void>((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (
        !received
          .subarray(2 + 10)
          .toString()
          .endsWith("ping")
      )
        return;
      socket.off("data", onData);
      resolve();
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.once("close", () => reject(new Error(`the SOCKS connection to ${host}:${targetPort} closed: ${received.toString("hex")}`)));
    socket.write(Buffer.concat([request, Buffer.from("ping")]));
  });
  socket.removeAllListeners("close");
  return socket;
}

/** The pids of sshd processes holding a TCP socket whose ends match. */
async function sshdPids(matches: (local: number, peer: number) => boolean): Promise<Set<number>> {
  // Room for the tens of thousands of TIME-WAIT sockets a busy machine may hold (default: 1 MB).
  const { stdout } = await execFileAsync("ss", ["-tanpH"], { maxBuffer: 256 * 1024 * 1024 });
  const pids = new Set<number>();
  for (const line of stdout.split("\n")) {
    const [, , , local, peer, users] = line.trim().split(/\s+/);
    if (!local || !peer || !users?.includes('"sshd"')) continue;
    const port = (end: string) => (end.endsWith(":*") ? 0 : Number(end.slice(end.lastIndexOf(":") + 1)));
    if (!matches(port(local), port(peer))) continue;
    for (const [, pid] of users.matchAll(/pid=(\d+)/g)) pids.add(Number(pid));
  }
  return pids;
}

/** The sshd processes serving one of the pool's connections. */
const servingPids = (member: PoolSnapshot[number]) => sshdPids((local, peer) => local === sshd.port && peer === member.localPort);

/** The sshd process that opened a channel's TCP connection to `targetPort`. */
const channelPids = (targetPort: number) => sshdPids((_local, peer) => peer === targetPort);

function signal(pids: Set<number>, name: NodeJS.Signals) {
  for (const pid of pids) process.kill(pid, name);
}

const byRole = (pool: PoolSnapshot, role: "any" | "names") => pool.filter((member) => member.role === role);

/** Keeps the host's pool growing until it has two general connections: `port` is a local tunnel's. */
async function twoGeneralConnections(engine: TunnelEngine, port: number, host = hostId): Promise<net.Socket[]> {
  const held: net.Socket[] = [];
  for (let i = 0; i <= CHANNELS_PER_CONNECTION; i++) held.push(await openEcho(port));
  await waitFor(
    () => engine.pool(host),
    (pool) => byRole(pool, "any").length === 2,
    20_000,
    "a second general connection",
  );
  return held;
}

async function statuses(tunnelId: string) {
  return (await getPrisma().tunnelEvent.findMany({ where: { tunnelId }, orderBy: { at: "asc" }, select: { status: true, reason: true } })).map(
    (event) => event.status,
  );
}

describe("the connection reserved for names", () => {
  it("carries a SOCKS request by name; one by address goes to another connection", async () => {
    const engine = new TunnelEngine();
    const [byName, byAddress] = await Promise.all([startEchoServer(), startEchoServer()]);
    const held: net.Socket[] = [];
    try {
      const socks = await openTunnel(engine, "dynamic");
      const pool = await engine.pool(hostId);
      expect(pool.map((member) => member.role).sort()).toEqual(["any", "names"]);

      held.push(await openSocks(socks.port, "localhost", byName.port), await openSocks(socks.port, "127.0.0.1", byAddress.port));
      const [names] = byRole(pool, "names");
      const [general] = byRole(pool, "any");
      const namesPids = await servingPids(names!);
      const generalPids = await servingPids(general!);
      expect(namesPids.size).toBeGreaterThan(0);
      const [nameChannel] = await channelPids(byName.port);
      const [addressChannel] = await channelPids(byAddress.port);
      expect(namesPids.has(nameChannel!)).toBe(true);
      expect(generalPids.has(addressChannel!)).toBe(true);
      expect(namesPids.has(addressChannel!)).toBe(false);
    } finally {
      for (const socket of held) socket.destroy();
      await engine.stop();
      await Promise.all([byName.close(), byAddress.close()]);
    }
  }, 60_000);

  it("stalled (a slow lookup), it stalls no other tunnel through the host, nor a request by address", async () => {
    const engine = new TunnelEngine();
    let stopped = new Set<number>();
    try {
      const socks = await openTunnel(engine, "dynamic");
      const local = await openTunnel(engine, "local", { host: "127.0.0.1", port: echo.port });
      const [names] = byRole(await engine.pool(hostId), "names");
      stopped = await servingPids(names!);
      signal(stopped, "SIGSTOP");

      // A request by name waits on the stopped connection, as behind a slow DNS answer.
      const waiting = openSocks(socks.port, "localhost", echo.port);
      waiting.catch(() => {});
      const other = await openEcho(local.port);
      await roundTrip(other, "through the local tunnel");
      const socksByAddress = await openSocks(socks.port, "127.0.0.1", echo.port);
      await roundTrip(socksByAddress, "by address");
      // All of that while the names connection was still stopped.
      for (const pid of stopped) expect((await execFileAsync("ps", ["-o", "stat=", "-p", String(pid)])).stdout.trim()).toMatch(/^T/);

      signal(stopped, "SIGCONT");
      stopped = new Set();
      const late = await waiting;
      await roundTrip(late, "the lookup answered");
      for (const socket of [other, socksByAddress, late]) socket.destroy();
    } finally {
      signal(stopped, "SIGCONT");
      await engine.stop();
    }
  }, 60_000);
});

describe("a pool of general connections", () => {
  it("grows under load; a stalled connection gets no new channels, and another tunnel's round trip completes meanwhile", async () => {
    const engine = new TunnelEngine();
    let stopped = new Set<number>();
    const held: net.Socket[] = [];
    try {
      const first = await openTunnel(engine, "local", { host: "127.0.0.1", port: echo.port });
      const second = await openTunnel(engine, "local", { host: "127.0.0.1", port: echo.port });
      held.push(...(await twoGeneralConnections(engine, first.port)));
      const [idle] = byRole(await engine.pool(hostId), "any").sort((a, b) => a.channels - b.channels);
      stopped = await servingPids(idle!);
      signal(stopped, "SIGSTOP");

      // The least loaded connection is the stopped one: the next channel waits there, and marks it stalled.
      const waiting = openEcho(first.port);
      waiting.catch(() => {});
      await waitFor(
        () => engine.pool(hostId),
        (pool) => pool.some((member) => member.linkId === idle!.linkId && member.stalled),
        20_000,
        "the stopped connection to count as stalled",
      );
      const other = await openEcho(second.port);
      await roundTrip(other, "through the other connection");
      for (const pid of stopped) expect((await execFileAsync("ps", ["-o", "stat=", "-p", String(pid)])).stdout.trim()).toMatch(/^T/);
      held.push(other);

      signal(stopped, "SIGCONT");
      stopped = new Set();
      held.push(await waiting);
    } finally {
      signal(stopped, "SIGCONT");
      for (const socket of held) socket.destroy();
      await engine.stop();
    }
  }, 90_000);

  it("records and audits every connection, whichever SSH connection carried it", async () => {
    const engine = new TunnelEngine();
    const held: net.Socket[] = [];
    try {
      const tunnel = await openTunnel(engine, "local", { host: "127.0.0.1", port: echo.port });
      held.push(...(await twoGeneralConnections(engine, tunnel.port)));
      const more = await Promise.all(Array.from({ length: 6 }, () => openEcho(tunnel.port)));
      held.push(...more);
      const pool = byRole(await engine.pool(hostId), "any");
      expect(pool.every((member) => member.channels > 0)).toBe(true);
      for (const socket of held) socket.end();
      await waitFor(
        async () => engine.live(tunnel.id)?.connections,
        (open) => open === 0,
        20_000,
        "every connection closed",
      );
      const counters = await engine.close(tunnel.id);
      await setTunnelStatus(ctx, { tunnelId: tunnel.id, from: OPEN_STATUSES, to: "closed", reason: "done", counters });
      await engine.stop();
      const total = held.length;
      expect(await getPrisma().tunnelConnection.count({ where: { tunnelId: tunnel.id } })).toBe(total);
      // All of them opened and closed before one commit: told in a summary (connection-audit.ts), each counted.
      expect(await auditedConnections(tunnel.id)).toMatchObject({ closed: total });
    } finally {
      for (const socket of held) socket.destroy();
      await engine.stop();
    }
  }, 90_000);

  it("one connection killed: the others' connections flow on, the tunnel stays active, and the pool reconnects", async () => {
    const engine = new TunnelEngine();
    const held: net.Socket[] = [];
    try {
      const tunnel = await openTunnel(engine, "local", { host: "127.0.0.1", port: echo.port });
      held.push(...(await twoGeneralConnections(engine, tunnel.port)));
      // One more long-lived connection: on the new, least loaded connection.
      const onSecond = await openEcho(tunnel.port);
      held.push(onSecond);
      const [busy, idle] = byRole(await engine.pool(hostId), "any").sort((a, b) => b.channels - a.channels);
      const secondClosed = new Promise<void>((resolve) => onSecond.once("close", () => resolve()));
      onSecond.on("error", () => {});

      signal(await servingPids(idle!), "SIGKILL");
      await secondClosed;
      // The connections on the other SSH connection carry on.
      for (const [i, socket] of held.slice(0, -1).entries()) await roundTrip(socket, `still here ${i}`);
      await waitFor(
        () => engine.pool(hostId),
        (pool) => byRole(pool, "any").length === 2 && !pool.some((member) => member.linkId === idle!.linkId),
        30_000,
        "the lost connection back",
      );
      expect((await engine.pool(hostId)).some((member) => member.linkId === busy!.linkId)).toBe(true);
      expect(await statuses(tunnel.id)).toEqual(["active"]);
      await roundTrip(await openEcho(tunnel.port), "new connection");
    } finally {
      for (const socket of held) socket.destroy();
      await engine.stop();
    }
  }, 90_000);

  it("moves a remote tunnel's listener to another connection when its own is lost", async () => {
    const engine = new TunnelEngine();
    const held: net.Socket[] = [];
    try {
      // A remote tunnel's target on the bastion itself must be named in its host's policy.
      const input = { name: "lab-remote", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey };
      const host = (await createHost({ ctx, input: { ...input, policy: { targets: ["127.0.0.1"] } } })).id;
      const local = await openTunnel(engine, "local", { host: "127.0.0.1", port: echo.port }, host);
      held.push(...(await twoGeneralConnections(engine, local.port, host)));
      const remote = await openTunnel(engine, "remote", { host: "127.0.0.1", port: echo.port }, host);
      // Its listener is on the host (here the same machine), held by the sshd serving its connection.
      const listening = await sshdPids((localPort, peer) => localPort === remote.port && peer === 0);
      expect(listening.size).toBeGreaterThan(0);
      held.push(await openEcho(remote.port));
      signal(listening, "SIGKILL");
      await waitFor(
        async () => {
          const socket = await openEcho(remote.port).catch(() => null);
          socket?.destroy();
          return socket !== null;
        },
        (answered) => answered,
        30_000,
        "the remote listener bound again",
      );
      expect(await statuses(remote.id)).toEqual(["active"]);
    } finally {
      for (const socket of held) socket.destroy();
      await engine.stop();
    }
  }, 90_000);
});

describe("a host that refuses more connections", () => {
  it("carries on with the connections it has, and says so", async () => {
    // MaxSessions counts shells, commands and subsystems, not forwarded channels: it does not limit a tunnel.
    const strict = await startSshd({ extraConfig: ["MaxStartups 1", "MaxSessions 1"] });
    const engine = new TunnelEngine();
    const held: net.Socket[] = [];
    try {
      const strictId = (
        await createHost({ ctx, input: { name: "strict", address: strict.host, port: strict.port, username: strict.username, privateKey: strict.privateKey } })
      ).id;
      const local = await openTunnel(engine, "local", { host: "127.0.0.1", port: echo.port }, strictId);
      // A connection that never authenticates takes sshd's one unauthenticated place.
      const squatter = net.connect({ host: strict.host, port: strict.port });
      squatter.on("error", () => {});
      held.push(squatter);
      await new Promise((resolve) => squatter.once("data", resolve)); // its banner: sshd took it

      const socks = await openTunnel(engine, "dynamic", null, strictId);
      const row = await getPrisma().tunnel.findUniqueOrThrow({ where: { id: socks.id } });
      expect(row.status).toBe("active");
      expect(row.statusReason).toMatch(/^strict's sshd refused a 2nd connection \(MaxStartups\?\): .* — carrying on with 1$/);
      expect((await engine.pool(strictId)).map((member) => member.role)).toEqual(["any"]);
      const byName = await openSocks(socks.port, "localhost", echo.port);
      held.push(byName);
      await roundTrip(byName, "on the one connection");
      const alongside = await openEcho(local.port);
      held.push(alongside);
      await roundTrip(alongside, "a second channel on it");
      const localRow = await getPrisma().tunnel.findUniqueOrThrow({ where: { id: local.id } });
      expect(localRow.statusReason).toBe(row.statusReason);
    } finally {
      for (const socket of held) socket.destroy();
      await engine.stop();
      await strict.dispose();
    }
  }, 60_000);
});
