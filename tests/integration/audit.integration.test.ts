// The audit trail through Warren's API, CLI and sockets, with a real sshd:
// a tunnel's life is recorded with its actors and byte counts, only admins
// read it, filters and export work, and the CLI finds tampering.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { signInCookie } from "@/tests/harness/sign-in";
import { CONNECTIONS_ONE_BY_ONE } from "@/server/tunnels/connection-audit";
import { fetchAll, startOrigin, type Origin } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type AuditRecord = {
  seq: number;
  action: string;
  actorType: string;
  actorEmail: string | null;
  actorIp: string | null;
  tunnelId: string | null;
  hostId: string | null;
  details: Record<string, unknown>;
};
type Page = { events: AuditRecord[]; nextCursor: number | null };

let sshd: SshdHandle;
let origin: Origin;
let warren: WarrenHandle;
let admin: ApiClient;
let alice: ApiClient;
let adminSocket: Socket;
let aliceSocket: Socket;
const live: { admin: AuditRecord[]; alice: AuditRecord[] } = { admin: [], alice: [] };
let tunnelId = "";
let hostId = "";
const password = "correct horse battery";

async function liveSocket(token: string, sink: AuditRecord[]) {
  const socket = io(warren.url, { auth: { token }, transports: ["websocket"], reconnection: false });
  socket.on("audit:new", (batch: { records: AuditRecord[] }) => sink.push(...batch.records));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

beforeAll(async () => {
  [sshd, origin] = await Promise.all([startSshd(), startOrigin()]);
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  const [adminToken, aliceToken] = [await warren.createToken("admin@example.com"), await warren.createToken("alice@example.com")];
  admin = apiClient(warren.url, adminToken);
  alice = apiClient(warren.url, aliceToken);
  adminSocket = await liveSocket(adminToken, live.admin);
  aliceSocket = await liveSocket(aliceToken, live.alice);
});

afterAll(async () => {
  adminSocket?.close();
  aliceSocket?.close();
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close()]);
});

const search = (query: string) => admin.get<Page>(`/audit?${query}`).then((response) => response.body);

describe("a tunnel's life", () => {
  it("is recorded from request to close, with actors and byte counts", async () => {
    hostId = (
      await admin.post<{ id: string }>("/hosts", { name: "db-1", address: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey })
    ).body.id;
    const port = await freePortInRange();
    tunnelId = (await alice.post<{ id: string }>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: origin.port } }))
      .body.id;
    await fetchAll("127.0.0.1", port);
    await waitFor(
      () => search(`tunnelId=${tunnelId}&action=connection.closed`),
      (page) => page.events.length === 1,
      10_000,
      "connection.closed",
    );
    await alice.delete(`/tunnels/${tunnelId}`);

    const { events } = await search(`tunnelId=${tunnelId}`);
    const story = events.reverse().map((event) => [event.action, event.actorType === "user" ? event.actorEmail : "system"]);
    expect(story).toEqual([
      ["tunnel.requested", "alice@example.com"],
      ["tunnel.opened", "system"],
      ["connection.accepted", "system"],
      ["connection.closed", "system"],
      ["tunnel.closed", "alice@example.com"],
    ]);
    const closed = events.find((event) => event.action === "connection.closed")!;
    expect(closed.details).toMatchObject({ bytesIn: origin.payload.length, bytesOut: 0, error: null, source: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(closed.details.durationMs).toEqual(expect.any(Number));
    expect(closed.hostId).toBe(hostId);
  });

  it("records who signed in, failed to, and made tokens and hosts", async () => {
    await signInCookie(warren.url, "alice@example.com", password);
    await expect(signInCookie(warren.url, "alice@example.com", "wrong password!")).rejects.toThrow();
    await expect(signInCookie(warren.url, "nobody@example.com", password)).rejects.toThrow();
    const auth = (await search("action=auth.*")).events;
    expect(auth.map((event) => [event.action, event.actorEmail ?? event.details.email, event.details.reason ?? null])).toEqual([
      ["auth.sign_in_failed", "nobody@example.com", "unknown email"],
      ["auth.sign_in_failed", "alice@example.com", "wrong password"],
      ["auth.sign_in", "alice@example.com", null],
    ]);
    expect(auth.every((event) => event.actorIp === "127.0.0.1")).toBe(true);

    const { events } = await search("action=token.*");
    expect(events.map((event) => event.action)).toEqual(["token.created", "token.created"]);
    expect(events.every((event) => event.actorType === "system" && event.details.by === "cli")).toBe(true);
    const hosts = await search("action=host.*");
    expect(hosts.events.map((event) => event.action)).toEqual(["host.key_trusted", "host.created"]);
    expect(hosts.events[1]).toMatchObject({ actorEmail: "admin@example.com", actorIp: "127.0.0.1" });
    expect(hosts.events[0]!.details).toMatchObject({ firstUse: true, fingerprint: sshd.hostKeyFingerprint });
  });

  it("reaches admins' sockets live, and no one else's", async () => {
    await waitFor(
      async () => live.admin,
      (events) => events.some((event) => event.action === "tunnel.closed"),
      5_000,
      "audit:new",
    );
    expect(live.alice).toEqual([]);
  });
});

describe("reading the trail", () => {
  it("is for admins only", async () => {
    for (const path of ["/audit", "/audit/export?format=csv", "/audit/verify"]) {
      expect((await alice.get(path)).status, path).toBe(403);
    }
  });

  it("filters by actor, action prefix, host and time, and pages by cursor", async () => {
    const byAlice = await search("actor=alice@example.com");
    expect(byAlice.events.map((event) => event.action).sort()).toEqual(["auth.sign_in", "tunnel.closed", "tunnel.requested"]);
    expect((await search(`hostId=${hostId}&action=connection.*`)).events).toHaveLength(2);
    expect((await search(`from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).events).toEqual([]);
    expect((await search("q=127.0.0.1")).events.length).toBeGreaterThan(0);

    const first = await search("limit=3");
    const second = await search(`limit=3&cursor=${first.nextCursor}`);
    expect(first.events.map((event) => event.seq)).toEqual([first.events[0]!.seq, first.events[0]!.seq - 1, first.events[0]!.seq - 2]);
    expect(second.events[0]!.seq).toBe(first.events[2]!.seq - 1);
  });

  it("refuses bad filters naming the field", async () => {
    const response = await admin.get<{ error: { field: string } }>("/audit?from=yesterday");
    expect(response.status).toBe(422);
    expect(response.body.error.field).toBe("from");
  });

  it("exports every matching record as CSV or JSON lines", async () => {
    const total = (await search("limit=200")).events.length;
    const token = (await warren.cli(["token", "create", "--email", "admin@example.com"])).stdout.trim();
    const get = (format: string) => fetch(`${warren.url}/api/v1/audit/export?format=${format}`, { headers: { authorization: `Bearer ${token}` } });
    const jsonl = await get("jsonl");
    expect(jsonl.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await jsonl.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(lines.length).toBeGreaterThanOrEqual(total);
    expect(lines.map((line) => line.seq)).toEqual(lines.map((_, index) => index + 1));
    const csv = (await (await get("csv")).text()).trim().split("\n");
    expect(csv[0]).toBe("seq,at,actorType,actorId,actorEmail,actorIp,userAgent,action,hostId,tunnelId,subjectId,details,prevHash,hash");
    expect(csv.length - 1).toBe(lines.length);
  });
});

describe("audit verify", () => {
  it("passes on the untouched trail, and names the record an intruder edited", async () => {
    const intact = await warren.cli(["audit", "verify"]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^audit chain intact: \d+ records verified/);
    expect((await admin.get<{ ok: boolean }>("/audit/verify")).body.ok).toBe(true);

    const raw = await openRawDatabase(warren);
    const { actorEmail } = (await raw.get<{ actorEmail: string | null }>(`SELECT "actorEmail" FROM "AuditEvent" WHERE seq = 3`))!;
    await raw.run(`UPDATE "AuditEvent" SET "actorEmail" = 'someone@else.example' WHERE seq = 3`);
    const broken = await warren.cli(["audit", "verify"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("audit chain broken at record 3: record 3 was edited");
    expect((await admin.get<{ ok: boolean; firstProblem: { seq: number } }>("/audit/verify")).body).toMatchObject({ ok: false, firstProblem: { seq: 3 } });
    await raw.run(`UPDATE "AuditEvent" SET "actorEmail" = ? WHERE seq = 3`, actorEmail);
    await raw.close();
    expect((await warren.cli(["audit", "verify"])).code).toBe(0);
  });

  it("names the newest records removed, and all of them removed, against the head anchor in the data directory", async () => {
    const raw = await openRawDatabase(warren);
    const newest = Number((await raw.get<{ seq: number }>(`SELECT max(seq) AS seq FROM "AuditEvent"`))!.seq);
    await raw.run(`CREATE TABLE "Saved" AS SELECT * FROM "AuditEvent"`);
    const expectBroken = async (problem: string) => {
      const cli = await warren.cli(["audit", "verify"]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain(problem);
      const api = await admin.get<{ ok: boolean; firstProblem: { problem: string } }>("/audit/verify");
      expect(api.body).toMatchObject({ ok: false, firstProblem: { problem } });
    };
    try {
      await raw.run(`DELETE FROM "AuditEvent" WHERE seq > ?`, newest - 3);
      await expectBroken(`records ${newest - 2}-${newest}, the newest, are missing (the head anchor says ${newest})`);
      await raw.run(`DELETE FROM "AuditEvent"`);
      await expectBroken(`the database holds no records but the head anchor says ${newest}`);
    } finally {
      await raw.run(`DELETE FROM "AuditEvent"`);
      await raw.run(`INSERT INTO "AuditEvent" SELECT * FROM "Saved"`);
      await raw.run(`DROP TABLE "Saved"`);
      await raw.close();
    }
    expect((await warren.cli(["audit", "verify"])).stdout).toContain(`up to record ${newest}`);
    expect(statSync(path.join(warren.dataDir, "audit-head.log")).mode & 0o777).toBe(0o600);
  });

  it("ends concurrent appends by the server and the CLI with the anchor at the chain's true head", async () => {
    const port = await freePortInRange();
    const tunnel = (await alice.post<{ id: string }>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: origin.port } }))
      .body.id;
    const traffic = (async () => {
      for (let i = 0; i < CONNECTIONS_ONE_BY_ONE / 2; i++) await fetchAll("127.0.0.1", port);
    })();
    const cli = Array.from({ length: 4 }, () => warren.cli(["token", "create", "--email", "alice@example.com"]));
    expect((await Promise.all(cli)).map((result) => result.code)).toEqual([0, 0, 0, 0]);
    await traffic;
    await waitFor(
      () => search(`tunnelId=${tunnel}&action=connection.closed`),
      (page) => page.events.length === CONNECTIONS_ONE_BY_ONE / 2,
      20_000,
      "each connection.closed",
    );
    await alice.delete(`/tunnels/${tunnel}`);

    const raw = await openRawDatabase(warren);
    const head = (await raw.get<{ seq: number; hash: string }>(`SELECT seq, hash FROM "AuditEvent" ORDER BY seq DESC LIMIT 1`))!;
    await raw.close();
    // The file's newest line (its seal is checked by verify).
    const lines = readFileSync(path.join(warren.dataDir, "audit-head.log"), "utf8").split("\n").filter(Boolean);
    const newest = lines
      .map((line) => line.split(" "))
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .at(-1)!;
    expect([Number(newest[1]), newest[2]]).toEqual([head.seq, head.hash]);
    const verify = await warren.cli(["audit", "verify"]);
    expect(verify.code, verify.stderr).toBe(0);
  });
});
