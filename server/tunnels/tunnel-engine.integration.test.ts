// The engine in-process against a real sshd and database, for what the API
// cannot reach quickly: expiry (ttlMinutes is at least 1) and reconciling
// tunnels that expired while Warren was stopped, and its data plane's
// thread dying under it. Status events are heard as sockets hear them:
// through lib/realtime/publish.ts, here into a stand-in for socket.io.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "@/lib/audit/audit-log";
import { systemCtx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { processGlobals } from "@/lib/process-globals";
import { createHost } from "@/lib/hosts";
import { createUser } from "@/lib/users";
import { createUserSchema } from "@/lib/validation/users";
import type { TunnelStatusEvent } from "@/lib/realtime/events";
import { setTunnelStatus } from "@/lib/tunnels/set-tunnel-status";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import { COMMIT_SLICE } from "@/server/tunnels/journal-commit";
import { RECORDS_BEHIND, TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { fetchAll, startEchoServer, type TcpServer } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import type { Feature } from "@/server/feature";
import { registerNode } from "@/server/nodes/node-registry";
import { auditedConnections } from "@/tests/harness/audited-connections";
import { useTestDatabase } from "@/tests/harness/test-database";

let db: Awaited<ReturnType<typeof useTestDatabase>>;
let node: Feature | undefined;
let sshd: SshdHandle;
let echo: TcpServer;
let hostId: string;
let ownerId: string;
/** Each tunnel's status events, in the order they were published. */
const statusEvents = new Map<string, TunnelStatusEvent[]>();
const globals = globalThis as typeof globalThis & { warrenIo?: unknown };

beforeAll(async () => {
  globals.warrenIo = {
    to: () => ({
      emit: (event: string, payload: TunnelStatusEvent) => {
        if (event === "tunnel:status") statusEvents.get(payload.tunnelId)?.push(payload);
      },
    }),
  };
  db = await useTestDatabase();
  node = await registerNode(); // the engine leases its tunnels for this node, as server/index.ts has it do
  [sshd, echo] = await Promise.all([startSshd(), startEchoServer()]);
  const ctx = systemCtx("test");
  hostId = (await createHost({ ctx, input: { name: "lab", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey } })).id;
  ownerId = (await createUser({ ctx, input: createUserSchema.parse({ email: "owner@example.com", password: "correct horse battery" }) })).id;
});

afterAll(async () => {
  globals.warrenIo = undefined;
  await node?.stop();
  await Promise.all([sshd?.dispose(), echo?.close()]);
  await db?.dispose();
});

async function tunnelRow(listenPort: number, expiresAt: Date, status: "starting" | "active" = "starting") {
  return getPrisma().tunnel.create({
    data: { kind: "local", hostId, ownerId, listenAddress: "127.0.0.1", listenPort, targetHost: "127.0.0.1", targetPort: echo.port, expiresAt, status },
  });
}

/** An engine (not started: no ticker) with one local tunnel open through it, and the tunnel's status events. */
async function engineWithTunnel(expiresInMs: number) {
  const engine = new TunnelEngine();
  try {
    const port = await freePortInRange();
    const tunnel = await tunnelRow(port, new Date(Date.now() + expiresInMs));
    const events: TunnelStatusEvent[] = [];
    statusEvents.set(tunnel.id, events);
    await engine.open(tunnel.id);
    return { engine, events, port, tunnel };
  } catch (error) {
    await engine.stop();
    throw error;
  }
}

describe("expiry", () => {
  it("closes the listener and its open connections when the time is up", async () => {
    const { engine, events, port, tunnel } = await engineWithTunnel(3_600_000);
    try {
      const client = net.connect({ host: "127.0.0.1", port });
      const echoed = await new Promise<string>((resolve) => {
        client.once("data", (chunk) => resolve(chunk.toString()));
        client.write("ping");
      });
      expect(echoed).toBe("ping");
      const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
      client.on("error", () => {});
      // Its time runs out now that a connection is live (however long the open took on a busy machine).
      const expiresAt = new Date(Date.now() + 500);
      engine.extend(tunnel.id, expiresAt);

      await closed; // the engine cut the live connection at expiry
      const row = await waitFor(
        () => getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnel.id } }),
        (t) => t.status === "expired",
        5_000,
        "expired",
      );
      expect(row.statusReason).toBe(`expired at ${expiresAt.toISOString()}`);
      expect(row.closedAt).not.toBeNull();
      expect(events.map((event) => event.status)).toEqual(["active", "expired"]);
      const refused = await new Promise<boolean>((resolve) => {
        const probe = net.connect({ host: "127.0.0.1", port });
        probe.once("connect", () => resolve(false));
        probe.once("error", () => resolve(true));
      });
      expect(refused).toBe(true);
      const [connection] = await getPrisma().tunnelConnection.findMany({ where: { tunnelId: tunnel.id } });
      expect(Number(connection?.bytesOut)).toBe(4);
      expect(Number(connection?.bytesIn)).toBe(4);
    } finally {
      await engine.stop();
    }
  });

  it("opens and expires a tunnel with no listener on the bastion like any other", async () => {
    const engine = new TunnelEngine();
    try {
      const expiresAt = new Date(Date.now() + 5_000);
      const tunnel = await getPrisma().tunnel.create({ data: { kind: "dynamic", hostId, ownerId, expiresAt, status: "starting" } });
      const events: TunnelStatusEvent[] = [];
      statusEvents.set(tunnel.id, events);
      await engine.open(tunnel.id);
      expect(engine.live(tunnel.id)).toMatchObject({ connections: 0, connectionsTotal: 0 });
      const row = await waitFor(
        () => getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnel.id } }),
        (t) => t.status === "expired",
        30_000,
        "expired",
      );
      expect(row.statusReason).toBe(`expired at ${expiresAt.toISOString()}`);
      expect(events.map((event) => event.status)).toEqual(["active", "expired"]);
      expect(engine.live(tunnel.id)).toBeUndefined();
    } finally {
      await engine.stop();
    }
  });

  it("on start, expires what ran out while Warren was stopped, shows the rest reopening, then reopens them", async () => {
    const stale = await tunnelRow(await freePortInRange(), new Date(Date.now() - 60_000), "active");
    const live = await tunnelRow(await freePortInRange(), new Date(Date.now() + 3_600_000), "active");
    const engine = new TunnelEngine();
    const rows = async () => {
      const found = await getPrisma().tunnel.findMany({ where: { id: { in: [stale.id, live.id] } } });
      return new Map(found.map((row) => [row.id, row]));
    };
    try {
      await engine.recover();
      const recovered = await rows();
      expect(recovered.get(stale.id)).toMatchObject({ status: "expired", statusReason: "expired while Warren was stopped" });
      expect(recovered.get(live.id)).toMatchObject({ status: "starting", statusReason: "Warren restarted: reopening" });
      await engine.start();
      expect((await rows()).get(live.id)?.status).toBe("active");
    } finally {
      await engine.stop();
    }
  });
});

describe("the data plane's thread", () => {
  it("if it dies, its connections end, a new one takes over and every tunnel reopens", async () => {
    const { engine, events, port } = await engineWithTunnel(3_600_000);
    try {
      const before = net.connect({ host: "127.0.0.1", port });
      before.on("error", () => {});
      await new Promise((resolve) => before.once("connect", resolve));
      const cut = new Promise<void>((resolve) => before.once("close", () => resolve()));

      // The worker as a crash would end it: nothing is drained or told.
      // biome-ignore lint/complexity/useLiteralKeys: a private field, reached on purpose to kill the worker
      await (engine["plane"] as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await cut;
      await waitFor(
        async () => events.map((event) => event.status),
        (statuses) => statuses.length === 3,
        10_000,
        "reopened",
      );
      expect(events.map((event) => event.status)).toEqual(["active", "starting", "active"]);
      expect(events[1]!.reason).toMatch(/^Warren's tunnel worker stopped \(exit code \d+\): reopening$/);

      const echoed = await new Promise<string>((resolve, reject) => {
        const after = net.connect({ host: "127.0.0.1", port }, () => after.write("pong"));
        after.once("data", (chunk) => {
          resolve(chunk.toString());
          after.destroy();
        });
        after.once("error", reject);
      });
      expect(echoed).toBe("pong");
    } finally {
      await engine.stop();
    }
  });
});

/** Closes the tunnel as lib does (lib/tunnels/end-tunnel.ts): the engine stops it, its status records the end. */
async function closeThrough(engine: TunnelEngine, tunnelId: string) {
  const counters = await engine.close(tunnelId);
  await setTunnelStatus(systemCtx("test"), { tunnelId, from: OPEN_STATUSES, to: "closed", reason: "done", counters });
}

describe("the journal's commit", () => {
  /** `count` connections through the tunnel, one after another, each sending and getting back one byte. */
  async function connections(port: number, count: number) {
    for (let i = 0; i < count; i++) await fetchAll("127.0.0.1", port, Buffer.from("x"));
  }

  const auditedActions = async (tunnelId: string) =>
    (await getPrisma().auditEvent.findMany({ where: { tunnelId }, orderBy: { seq: "asc" }, select: { action: true } })).map((a) => a.action);

  it("up to date, a close commits the tunnel's last connections before its own closing record", async () => {
    const { engine, port, tunnel } = await engineWithTunnel(3_600_000);
    try {
      await connections(port, 3);
      await closeThrough(engine, tunnel.id); // no ticker: only the close commits
      expect(await auditedActions(tunnel.id)).toEqual([
        "tunnel.opened",
        ...Array.from({ length: 3 }, () => ["connection.accepted", "connection.closed"]).flat(),
        "tunnel.closed",
      ]);
    } finally {
      await engine.stop();
    }
  });

  it("behind, a close does not wait for the backlog: status and final counters at once, the records after it in slices, nothing lost or reordered", async () => {
    const { engine, port, tunnel } = await engineWithTunnel(3_600_000);
    try {
      // Each connection journals two entries (opened, closed): more than one slice.
      const CONNECTIONS = COMMIT_SLICE / 2 + 100;
      await connections(port, CONNECTIONS);
      await closeThrough(engine, tunnel.id);
      const closed = await getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnel.id } });
      expect(closed).toMatchObject({ status: "closed", connectionsTotal: CONNECTIONS });
      expect([Number(closed.bytesIn), Number(closed.bytesOut)]).toEqual([CONNECTIONS, CONNECTIONS]);
      expect(await getPrisma().tunnelConnection.count({ where: { tunnelId: tunnel.id } })).toBe(0);

      // The backlog's first slice carries the counters of its first connections: they must not lower the final ones.
      // biome-ignore lint/complexity/useLiteralKeys: a private field, reached on purpose to commit one slice
      const commits = engine["commits"];
      await commits.commitSlice(commits.journal.pending(COMMIT_SLICE / 5));
      expect(await getPrisma().tunnelConnection.count({ where: { tunnelId: tunnel.id } })).toBeGreaterThan(0);
      expect(await getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnel.id } })).toMatchObject({
        connectionsTotal: CONNECTIONS,
        bytesIn: BigInt(CONNECTIONS),
      });

      await engine.stop(); // drains: commits the rest of the journal
      expect(await getPrisma().tunnelConnection.count({ where: { tunnelId: tunnel.id } })).toBe(CONNECTIONS);
      // So many connections in a slice are summed up (connection-audit.ts); a slice's few are told one by one: every one counted once.
      const audited = await auditedConnections(tunnel.id);
      expect(audited.closed).toBe(CONNECTIONS);
      expect(audited.summaries).toBeGreaterThan(0);
      expect(audited.accepted).toBeLessThan(CONNECTIONS / 10);
      expect((await getPrisma().tunnel.findUniqueOrThrow({ where: { id: tunnel.id } })).connectionsTotal).toBe(CONNECTIONS);
      expect((await verifyAuditChain()).ok).toBe(true);
    } finally {
      await engine.stop();
    }
  });

  it("past its limit, every tunnel refuses new connections, saying why, until the commits catch up (backpressure)", async () => {
    process.env.WARREN_JOURNAL_BACKLOG_LIMIT = "20";
    processGlobals.warrenConfig = undefined;
    const { engine, port, tunnel } = await engineWithTunnel(3_600_000);
    try {
      // No ticker here: nothing commits until the test says so. 11 connections journal 22 entries.
      await connections(port, 11);
      await waitFor(
        async () => engine.health().refusingNew,
        (refusing) => refusing,
        10_000,
        "new connections refused",
      );
      const refused = await fetchAll("127.0.0.1", port, Buffer.from("x")).catch(() => Buffer.alloc(0));
      expect(refused.length).toBe(0);

      // biome-ignore lint/complexity/useLiteralKeys: a private method, reached on purpose to commit without a ticker
      await engine["commit"]();
      expect(engine.health().refusingNew).toBe(false);
      expect((await fetchAll("127.0.0.1", port, Buffer.from("x"))).toString()).toBe("x");

      await closeThrough(engine, tunnel.id);
      const rows = await getPrisma().tunnelConnection.findMany({ where: { tunnelId: tunnel.id, error: { not: null } } });
      expect(rows.map((row) => row.error)).toEqual([`refused: ${RECORDS_BEHIND}`]);
      expect(await getPrisma().tunnelConnection.count({ where: { tunnelId: tunnel.id, error: null } })).toBe(12);
    } finally {
      delete process.env.WARREN_JOURNAL_BACKLOG_LIMIT;
      processGlobals.warrenConfig = undefined;
      await engine.stop();
    }
  });
});
