// A fault that hits Warren's own process, with traffic flowing: SIGKILL (no
// drain, nothing flushed on the way out), on SQLite or PostgreSQL. Nothing the
// engine saw before it may be missing afterwards. The faults that need
// SQLite's file lock are in durability.sqlite.integration.test.ts.
import { createHash } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { fetchAll, startOrigin, type Origin } from "@/tests/harness/origin";
import { openRawDatabase, type RawDatabase } from "@/tests/harness/raw-database";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; status: string; bytesIn: number; connections: number; connectionsTotal: number };

const MIB = 1024 * 1024;
const password = "correct horse battery";
let sshd: SshdHandle;
let origin: Origin;
let stream: net.Server;
let warren: WarrenHandle;
let alice: ApiClient;
let hostId = "";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const tunnelState = (id: string) => alice.get<Tunnel>(`/tunnels/${id}`).then((r) => r.body);

/** A target that sends 16 KiB every 10 ms for as long as the connection lasts: traffic in flight at any moment. */
async function startStream(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on("error", () => socket.destroy());
    const timer = setInterval(() => socket.write(Buffer.alloc(16 * 1024, 7)), 10);
    socket.once("close", () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function openLocal(targetPort: number): Promise<{ id: string; port: number }> {
  const port = await freePortInRange();
  const response = await alice.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: targetPort } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.status).toBe("active");
  return { id: response.body.id, port };
}

/** A look at Warren's database behind its back, as an operator would with sqlite3 or psql. */
async function inDatabase<T>(read: (db: RawDatabase) => Promise<T>): Promise<T> {
  const db = await openRawDatabase(warren);
  try {
    return await read(db);
  } finally {
    await db.close();
  }
}

// count(*) is a bigint on PostgreSQL (a string from pg), a number on SQLite.
const auditCount = (tunnelId: string, action: string) =>
  inDatabase(async (db) =>
    Number((await db.get<{ n: number | string }>(`SELECT count(*) AS n FROM "AuditEvent" WHERE "tunnelId" = ? AND action = ?`, tunnelId, action))!.n),
  );
const connectionRows = (tunnelId: string) =>
  inDatabase((db) =>
    db.all<{ bytesIn: bigint | number | string; error: string | null }>(`SELECT "bytesIn", error FROM "TunnelConnection" WHERE "tunnelId" = ?`, tunnelId),
  );

/** The tunnel once the restarted Warren has reopened it: a "starting" for the restart, then "active" again, in its
 *  history. Its status alone would not do: the row still says "active" from before the kill until the reopen starts. */
async function reopened(id: string): Promise<Tunnel> {
  await waitFor(
    () => alice.get<{ events: { status: string; reason: string | null }[] }>(`/tunnels/${id}/history`).then((r) => r.body.events),
    (events) => {
      const restarted = events.findLastIndex((event) => event.status === "starting" && event.reason === "Warren restarted: reopening");
      return restarted >= 0 && events.slice(restarted + 1).some((event) => event.status === "active");
    },
    30_000,
    "reopened",
  );
  return tunnelState(id);
}

async function expectChainVerifies() {
  const verify = await warren.cli(["audit", "verify"]);
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
}

beforeAll(async () => {
  [sshd, origin, stream] = await Promise.all([startSshd(), startOrigin({ size: MIB }), startStream()]);
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  alice = apiClient(warren.url, await warren.createToken("alice@example.com"));
  hostId = (
    await admin.post<{ id: string }>("/hosts", { name: "lab", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
  ).body.id;
});

afterAll(async () => {
  await warren?.dispose();
  stream?.close();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

describe("Warren killed with SIGKILL during traffic", () => {
  it("keeps every counter, connection and audit record it had seen, reopens its tunnels, and the chain verifies", async () => {
    const finished = await openLocal(origin.port);
    const busy = await openLocal((stream.address() as net.AddressInfo).port);
    const inFlight = net.connect({ host: "127.0.0.1", port: busy.port });
    inFlight.on("error", () => {});
    let streamed = 0;
    inFlight.on("data", (chunk: Buffer) => (streamed += chunk.length));

    for (let i = 0; i < 5; i++) expect(sha256(await fetchAll("127.0.0.1", finished.port))).toBe(origin.sha256);
    // Warren's own live view: all five closed, the streaming one open and moving.
    await waitFor(
      () => tunnelState(finished.id),
      (t) => t.connectionsTotal === 5 && t.connections === 0,
      10_000,
      "five closed connections",
    );
    await waitFor(
      () => tunnelState(busy.id),
      (t) => t.connections === 1 && t.bytesIn > 0,
      10_000,
      "a connection in flight",
    );
    await warren.kill(); // at once: no tick, no drain
    expect(streamed).toBeGreaterThan(0);

    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port });
    const after = await reopened(finished.id);
    expect(after).toMatchObject({ bytesIn: 5 * MIB, connectionsTotal: 5 });
    expect((await reopened(busy.id)).connectionsTotal).toBe(1);
    expect((await connectionRows(finished.id)).map((row) => [Number(row.bytesIn), row.error])).toEqual(Array(5).fill([MIB, null]));
    expect(await auditCount(finished.id, "connection.accepted")).toBe(5);
    expect(await auditCount(finished.id, "connection.closed")).toBe(5);
    expect(await auditCount(busy.id, "connection.accepted")).toBe(1);
    await expectChainVerifies();
    // And the reopened tunnel carries new connections.
    expect(sha256(await fetchAll("127.0.0.1", finished.port))).toBe(origin.sha256);
    await alice.delete(`/tunnels/${finished.id}`);
    await alice.delete(`/tunnels/${busy.id}`);
  });
});
