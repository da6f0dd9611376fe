// PostgreSQL restarted under a live Warren: requests and the readiness check
// answer 503 meanwhile, tunnels keep carrying (open connections and new
// ones), the engine journal holds what they did, and everything commits once
// the database is back: counters, connection records, and an audit chain
// that verifies.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { exchange } from "@/tests/harness/exchange";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { sharedSecretsFor, startPostgresql, type PostgresqlHandle } from "@/tests/harness/postgresql";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startTarget, type Tracker } from "@/tests/harness/tcp-target";
import { aliceWithHost } from "@/tests/harness/alice-with-host";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; status: string; connectionsTotal: number; bytesIn: number };

let postgresql: PostgresqlHandle;
let sshd: SshdHandle;
let target: Tracker;
let warren: WarrenHandle;
let alice: ApiClient;
let admin: ApiClient;
let hostId: string;

beforeAll(async () => {
  [postgresql, sshd, target] = await Promise.all([startPostgresql(), startSshd(), startTarget()]);
  const url = await postgresql.database("warren");
  warren = await startWarren({ env: { DATABASE_URL: url, ...sharedSecretsFor(url) } });
  ({ alice, hostId } = await aliceWithHost(warren, sshd, { name: "lab", address: "127.0.0.1" }));
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), target?.close(), postgresql?.dispose()]);
});

const echoes = async (port: number) => {
  const sent = randomBytes(64 * 1024);
  const { received } = await exchange(port, sent);
  return received.equals(sent);
};

describe("PostgreSQL restarting under Warren", () => {
  it("answers 503 while it is down, keeps tunnels carrying, and commits what they did once it is back", async () => {
    const port = await freePortInRange();
    const opened = await alice.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: target.port } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const id = opened.body.id;
    expect(await echoes(port)).toBe(true);
    await waitFor(
      () => alice.get<Tunnel>(`/tunnels/${id}`),
      (r) => r.body.connectionsTotal === 1,
      20_000,
      "the first connection committed",
    );

    await postgresql.stop();
    const down = await alice.get<{ error: { code: string; message: string } }>("/tunnels");
    expect(down.status).toBe(503);
    expect(down.body.error).toEqual({ code: "unavailable", message: "the database is out of reach; try again in a moment" });
    expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(503);
    // Three more connections while it is down, carried by the engine alone.
    for (let i = 0; i < 3; i++) expect(await echoes(port)).toBe(true);
    await waitFor(
      async () => warren.logs(),
      (logs) => /committing \d+ journal entries failed, kept for the next attempt/.test(logs),
      30_000,
      "a commit kept back",
    );
    // A load balancer's readiness check takes the node out, and sees what waits for the database.
    const notReady = await fetch(`${warren.url}/api/v1/health?ready=1`);
    expect(notReady.status).toBe(503);
    const readiness = (await notReady.json()) as { status: string; database: boolean; engine: boolean; journalBacklog: number };
    expect(readiness).toMatchObject({ status: "unavailable", database: false, engine: true });
    expect(readiness.journalBacklog).toBeGreaterThan(0);

    await postgresql.start();
    await waitFor(
      () => fetch(`${warren.url}/api/v1/health`).then((r) => r.status),
      (status) => status === 200,
      60_000,
      "healthy again",
    );
    // The counters the API shows are the engine's own: the records committed are in the audit trail.
    const audit = await waitFor(
      () => admin.get<{ events: unknown[] }>(`/audit?tunnelId=${id}&action=connection.*&limit=100`),
      (r) => r.body.events?.length === 8, // accepted and closed, for each of the four
      60_000,
      "the outage's connections committed",
    );
    expect(audit.status).toBe(200);
    expect((await alice.get<Tunnel>(`/tunnels/${id}`)).body).toMatchObject({ status: "active", connectionsTotal: 4 });
    const verify = await admin.get<{ ok: boolean }>("/audit/verify");
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
    expect(await echoes(port)).toBe(true);
  });
});
