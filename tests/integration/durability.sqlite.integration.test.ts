// Faults that hit Warren's database, with traffic flowing: an SQLite database
// another process holds locked for longer than Warren waits for it, and
// Warren SIGKILLed while it could not write, its journal then tampered with.
// Nothing the engine saw before the fault may be missing afterwards.
// SQLite only: the fault is SQLite's file lock ("database is locked"), taken
// by another process. PostgreSQL has no such fault: a write waits on a locked
// table without failing, and a statement Warren sent before it was killed
// may still commit once the lock is gone, so "killed before it could write"
// cannot be staged there this way. The SIGKILL test that needs no lock runs
// on both databases, in durability.integration.test.ts.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { fetchAll, startOrigin, type Origin } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { holdDatabaseLock } from "@/tests/harness/sqlite-lock";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; status: string; bytesIn: number; connections: number; connectionsTotal: number };

const MIB = 1024 * 1024;
const password = "correct horse battery";
let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
let alice: ApiClient;
let hostId = "";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const tunnelState = (id: string) => alice.get<Tunnel>(`/tunnels/${id}`).then((r) => r.body);

async function openLocal(targetPort: number): Promise<{ id: string; port: number }> {
  const port = await freePortInRange();
  const response = await alice.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: targetPort } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.status).toBe("active");
  return { id: response.body.id, port };
}

const databaseFile = () => path.join(warren.dataDir, "warren.db");

/** Read-only look at Warren's database file, as an operator would with sqlite3. */
function inDatabase<T>(read: (db: Database.Database) => T): T {
  const db = new Database(databaseFile(), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const auditCount = (tunnelId: string, action: string) =>
  inDatabase((db) => (db.prepare("SELECT count(*) AS n FROM AuditEvent WHERE tunnelId = ? AND action = ?").get(tunnelId, action) as { n: number }).n);
const connectionRows = (tunnelId: string) =>
  inDatabase(
    (db) => db.prepare("SELECT bytesIn, error FROM TunnelConnection WHERE tunnelId = ?").all(tunnelId) as { bytesIn: bigint | number; error: string | null }[],
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
    // A restart on a busy machine: the first sweep, the journal's commit, then the reopen.
    60_000,
    "reopened",
  );
  return tunnelState(id);
}

async function expectChainVerifies() {
  const verify = await warren.cli(["audit", "verify"]);
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
}

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin({ size: MIB })]);
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
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

/** A tunnel carries three connections while the database is locked, and Warren is killed before it can write them. */
async function killedWithThreeUnwritten() {
  const tunnel = await openLocal(origin.port);
  const lock = await holdDatabaseLock(databaseFile());
  for (let i = 0; i < 3; i++) expect(sha256(await fetchAll("127.0.0.1", tunnel.port))).toBe(origin.sha256);
  await waitFor(
    () => tunnelState(tunnel.id),
    (t) => t.connectionsTotal === 3 && t.connections === 0,
    30_000,
    "three closed connections",
  );
  await warren.kill();
  await lock.release();
  return tunnel;
}
describe("the database locked by another process", () => {
  it("keeps tunnels carrying, retries its writes, and loses no record once the lock is gone", async () => {
    const tunnel = await openLocal(origin.port);
    // Longer than the 10 s a statement waits for it, so writes fail at least once and must be retried.
    const lock = await holdDatabaseLock(databaseFile(), 12_000);
    for (let i = 0; i < 5; i++) expect(sha256(await fetchAll("127.0.0.1", tunnel.port))).toBe(origin.sha256);
    await lock.release();

    const history = await waitFor(
      () => alice.get<{ connections: { bytesIn: number }[] }>(`/tunnels/${tunnel.id}/history`).then((r) => r.body),
      (h) => h.connections.length === 5,
      60_000,
      "five connection records",
    );
    expect(history.connections.map((c) => c.bytesIn)).toEqual(Array(5).fill(MIB));
    expect((await tunnelState(tunnel.id)).status).toBe("active");
    expect(auditCount(tunnel.id, "connection.closed")).toBe(5);
    await expectChainVerifies();
    expect(warren.logs()).not.toMatch(/Unhandled|uncaught/i);
    await alice.delete(`/tunnels/${tunnel.id}`);
  }, 120_000);

  it("and Warren killed before it could write: the records reach the database on the next start", async () => {
    const tunnel = await killedWithThreeUnwritten();

    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port });
    expect(await reopened(tunnel.id)).toMatchObject({ bytesIn: 3 * MIB, connectionsTotal: 3 });
    expect(connectionRows(tunnel.id)).toHaveLength(3);
    expect(auditCount(tunnel.id, "connection.closed")).toBe(3);
    await expectChainVerifies();
    await alice.delete(`/tunnels/${tunnel.id}`);
  }, 120_000);
});

describe("the journal written to while Warren was stopped", () => {
  it("commits only the lines Warren sealed: forged and edited ones are refused, reported and audited", async () => {
    const tunnel = await killedWithThreeUnwritten();

    const file = path.join(warren.dataDir, "engine-journal.jsonl");
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const closedLines = lines.flatMap((line, index) => (line.includes('"type":"closed"') ? [index] : []));
    const edit = (index: number, from: string, to: string) => {
      expect(lines[index]).toContain(from);
      lines[index] = lines[index]!.replace(from, to);
      return index + 1;
    };
    // Sealed lines, edited: the second connection's record, and the tunnel's counters carried with the third's.
    const editedRecord = edit(closedLines.at(-2)!, `"bytesIn":${MIB}`, '"bytesIn":1');
    const editedCounter = edit(closedLines.at(-1)!, `"bytesIn":${3 * MIB}`, '"bytesIn":999999999999');
    const at = new Date().toISOString();
    const forged = [
      // Valid-looking entries without a seal, and with one made up.
      JSON.stringify({ type: "audit", input: { action: "user.disabled", subjectId: "alice", at }, seq: 100_000 }),
      `${"0".repeat(64)} ${JSON.stringify({ type: "connection", record: { tunnelId: tunnel.id, source: "6.6.6.6:6666", destination: null, bytesIn: 0, bytesOut: 0, openedAt: at, closedAt: at, error: null }, seq: 100_001 })}`,
    ];
    writeFileSync(file, `${[...lines, ...forged].join("\n")}\n`);

    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port });
    const after = await reopened(tunnel.id);
    expect(after.bytesIn).toBeLessThan(999999999999);
    const rows = connectionRows(tunnel.id);
    expect(rows.map((row) => Number(row.bytesIn))).toEqual([MIB]); // the edited lines' records are not among them
    expect(inDatabase((db) => db.prepare("SELECT count(*) AS n FROM TunnelConnection WHERE source LIKE '6.6.6.6%'").get())).toEqual({ n: 0 });
    expect(inDatabase((db) => db.prepare("SELECT count(*) AS n FROM AuditEvent WHERE action = 'user.disabled'").get())).toEqual({ n: 0 });

    const rejected = inDatabase((db) => db.prepare("SELECT details FROM AuditEvent WHERE action = 'audit.journal_rejected'").all() as { details: string }[]);
    expect(rejected.map((row) => JSON.parse(row.details) as unknown)).toEqual([
      {
        by: "engine",
        file: "engine-journal.jsonl",
        rejected: 4,
        lines: [
          ...[editedRecord, editedCounter].sort((a, b) => a - b).map((line) => ({ line, reason: "its seal does not match its contents (forged or edited)" })),
          { line: lines.length + 1, reason: "it carries no seal" },
          { line: lines.length + 2, reason: "its seal does not match its contents (forged or edited)" },
        ],
      },
    ]);
    expect(warren.logs()).toContain("refused 4 line(s) of engine-journal.jsonl written without Warren's key");
    await expectChainVerifies();
    await alice.delete(`/tunnels/${tunnel.id}`);
  }, 120_000);
});
