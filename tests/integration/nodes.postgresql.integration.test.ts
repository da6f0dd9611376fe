// Two Warren nodes on one PostgreSQL database behave as one Warren: a tunnel
// opened through node B is carried by B; node A shows it, tells its owner's
// socket of it live, lists and cuts its open connections (relayed to B), and
// closes it (B stops its listener at once, through
// LISTEN/NOTIFY); both append to one audit chain, which verifies. `warren
// connect` and a web app reached through node A are relayed to node B, which
// carries, counts and records them. When node B is killed, node A takes its
// tunnels over once their leases run out, and the audit webhook both stream
// to, one at a time, once the dead node's lease on it runs out. A node with
// other keys than the ones sealed in the database is refused at start.
import net from "node:net";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliceWithHost } from "@/tests/harness/alice-with-host";
import { apiClient } from "@/tests/harness/api-client";
import { appBrowser } from "@/tests/harness/app-browser";
import { startWebhookReceiver, type WebhookReceiver } from "@/tests/harness/audit-receivers";
import { exchange } from "@/tests/harness/exchange";
import { startOrigin } from "@/tests/harness/origin";
import { freePort, freePortInRange, waitFor } from "@/tests/harness/free-port";
import { downloadClient, startConnect } from "@/tests/harness/laptop-client";
import { sharedSecretsFor, startPostgresql, type PostgresqlHandle } from "@/tests/harness/postgresql";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { eachEvent } from "@/tests/harness/socket-events";
import { signInCookie } from "@/tests/harness/sign-in";
import { socksFetch } from "@/tests/harness/socks-fetch";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startTarget, type Tracker } from "@/tests/harness/tcp-target";
import { runProcess, startWarren, type WarrenHandle } from "@/tests/harness/warren";
import { startWebApp, type WebApp } from "@/tests/harness/web-app";

type Tunnel = { id: string; status: string; node: string | null };

let postgresql: PostgresqlHandle;
let sshd: SshdHandle;
let target: Tracker;
let url: string;
let nodeA: WarrenHandle;
let nodeB: WarrenHandle;
let webApp: WebApp;
let webhook: WebhookReceiver;
let aliceToken: string;
let hostId: string;

const WEBHOOK_SECRET = "the nodes' webhook secret";
// Both nodes stream the audit trail to the same webhook: one at a time, whichever holds the sink's lease.
const onNode = (name: string) => ({
  DATABASE_URL: url,
  ...sharedSecretsFor(url),
  WARREN_NODE_NAME: name,
  WARREN_APPS_DOMAIN: "apps.localhost",
  WARREN_AUDIT_WEBHOOK_URL: webhook.url,
  WARREN_AUDIT_WEBHOOK_SECRET: WEBHOOK_SECRET,
});

beforeAll(async () => {
  [postgresql, sshd, target, webApp, webhook] = await Promise.all([
    startPostgresql(),
    startSshd(),
    startTarget(),
    startWebApp(),
    startWebhookReceiver(WEBHOOK_SECRET),
  ]);
  url = await postgresql.database("warren");
  // Node A behind a reverse proxy on loopback: the address it is told is the one it names to node B.
  nodeA = await startWarren({ env: { ...onNode("bastion-a"), WARREN_TRUSTED_PROXY_HEADER: "x-forwarded-for", WARREN_TRUSTED_PROXIES: "127.0.0.1" } });
  // One public address for both, as behind a load balancer: node A's.
  nodeB = await startWarren({ env: { ...onNode("bastion-b"), WARREN_PUBLIC_URL: nodeA.url } });
  ({ aliceToken, hostId } = await aliceWithHost(nodeA, sshd, { name: "lab", address: "127.0.0.1" }));
});

afterAll(async () => {
  await Promise.all([nodeA?.dispose(), nodeB?.dispose()]);
  await Promise.all([sshd?.dispose(), target?.close(), webApp?.close(), webhook?.close(), postgresql?.dispose()]);
});

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => resolve(Boolean(socket.destroy())));
    socket.once("error", () => resolve(false));
  });

/** A connection to `port` kept open: `closed` settles when the other end closes it. */
async function heldConnection(port: number): Promise<{ closed: Promise<void> }> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  return { closed: new Promise((resolve) => socket.once("close", () => resolve())) };
}

/** Alice's live updates through `node`: every event, one entry per tunnel. */
async function watch(node: WarrenHandle): Promise<{ socket: Socket; events: { event: string; payload: Record<string, unknown> }[] }> {
  const socket = io(node.url, { auth: { token: aliceToken }, transports: ["websocket"], reconnection: false });
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  socket.onAny((event: string, payload: unknown) => events.push(...eachEvent(event, payload).map((one) => ({ event, payload: one }))));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  return { socket, events };
}

describe("two nodes on one PostgreSQL", () => {
  it("carry a tunnel on the node that opened it, shown, told and closed through the other", async () => {
    const [aliceOnA, aliceOnB] = [apiClient(nodeA.url, aliceToken), apiClient(nodeB.url, aliceToken)];
    const live = await watch(nodeA);
    try {
      const port = await freePortInRange();
      const opened = await aliceOnB.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: target.port } });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const { id } = opened.body;
      expect((await aliceOnA.get<Tunnel>(`/tunnels/${id}`)).body).toMatchObject({ status: "active", node: "bastion-b" });
      const sent = Buffer.from("through node b");
      expect((await exchange(port, sent)).received.equals(sent)).toBe(true);
      // Its open connections, which only node B knows, are listed and cut through node A.
      const held = await heldConnection(port);
      type Connection = { id: string; closedAt: string | null; error: string | null };
      const open = await waitFor(
        () => aliceOnA.get<{ connections: Connection[] }>(`/tunnels/${id}/connections?state=open`),
        (r) => r.status !== 200 || r.body.connections.length === 1,
        20_000,
        "the held connection listed through node A",
      );
      expect(open.status, JSON.stringify(open.body)).toBe(200);
      const cut = await aliceOnA.delete<{ connection: Connection }>(`/tunnels/${id}/connections/${open.body.connections[0]!.id}`, { reason: "testing" });
      expect(cut.status, JSON.stringify(cut.body)).toBe(200);
      expect(cut.body).toMatchObject({ connection: { error: "closed by alice@example.com: testing" } });
      await held.closed;
      // Node A's socket heard of it going active, and of its traffic, from node B.
      await waitFor(
        async () => live.events,
        (events) => events.some((e) => e.event === "tunnel:status" && e.payload.tunnelId === id && e.payload.status === "active"),
        20_000,
        "tunnel:status active on node A's socket",
      );
      await waitFor(
        async () => live.events,
        (events) => events.some((e) => e.event === "tunnel:stats" && e.payload.tunnelId === id && Number(e.payload.bytesIn) > 0),
        20_000,
        "tunnel:stats from node B on node A's socket",
      );

      expect((await aliceOnA.delete(`/tunnels/${id}`)).status).toBe(200);
      await waitFor(
        () => accepts(port),
        (accepting) => !accepting,
        20_000,
        "node B's listener closed",
      );
      expect((await aliceOnB.get<Tunnel>(`/tunnels/${id}`)).body).toMatchObject({ status: "closed", node: null });
      await waitFor(
        async () => live.events,
        (events) => events.some((e) => e.event === "tunnel:status" && e.payload.tunnelId === id && e.payload.status === "closed"),
        20_000,
        "tunnel:status closed on node A's socket",
      );
    } finally {
      live.socket.close();
    }
    for (const node of [nodeA, nodeB]) {
      const verify = await node.cli(["audit", "verify"]);
      expect(verify.code, verify.stderr).toBe(0);
    }
  });

  it("relays warren connect and a web app reached through one node to the node carrying their tunnel, which counts and records them", async () => {
    const aliceOnB = apiClient(nodeB.url, aliceToken);
    const plain = await aliceOnB.post<Tunnel>("/tunnels", {
      hostId,
      kind: "local",
      listen: { port: await freePortInRange() },
      target: { host: "127.0.0.1", port: target.port },
    });
    const web = await aliceOnB.post<Tunnel & { webUrl: string }>("/tunnels", {
      hostId,
      kind: "local",
      name: "wiki",
      target: { host: "127.0.0.1", port: webApp.port },
      web: { scheme: "http" },
    });
    expect([plain.status, web.status], JSON.stringify([plain.body, web.body])).toEqual([201, 201]);
    expect([plain.body.node, web.body.node]).toEqual(["bastion-b", "bastion-b"]);

    const laptop = await downloadClient(nodeA.url);
    const connected = await startConnect(laptop, { tunnelId: plain.body.id, url: nodeA.url, token: aliceToken });
    try {
      const sent = Buffer.from("through node a, carried by node b");
      const { received, error } = await exchange(connected.port, sent);
      expect(error, connected.output()).toBeUndefined();
      expect(received.equals(sent)).toBe(true);
    } finally {
      connected.child.kill();
      laptop.dispose();
    }
    const admin = apiClient(nodeA.url, await nodeA.createToken("admin@example.com"));
    const closed = await waitFor(
      () => admin.get<{ events: { details: Record<string, unknown> }[] }>(`/audit?tunnelId=${plain.body.id}&action=connection.closed`),
      (r) => r.body.events.length > 0,
      20_000,
      "the relayed connection's record",
    );
    // The person's own address, not node A's: node A named it to node B.
    expect(closed.body.events[0]!.details).toMatchObject({ via: "connect", user: "alice@example.com", source: "127.0.0.1", bytesIn: 33, bytesOut: 33 });

    // A browser behind node A's proxy signs in to the app and uses it; node B serves it, and knows who from.
    const browser = appBrowser(() => nodeA.port, { "x-forwarded-for": "198.51.100.7" });
    const appUrl = web.body.webUrl.replace(/\/$/, "");
    const cookie = await browser.openApp(appUrl, await signInCookie(nodeA.url, "alice@example.com", "correct horse battery"));
    const page = await browser.send(`${appUrl}/`, { headers: { cookie } });
    expect([page.status, page.body]).toEqual([200, expect.stringContaining("Internal app")]);
    type Log = { sessions: { email: string; address: string }[]; requests: { path: string; status: number }[] };
    const log = await waitFor(
      () => aliceOnB.get<Log>(`/tunnels/${web.body.id}/access-log`),
      (r) => r.status === 200 && r.body.requests.some((line) => line.path === "/" && line.status === 200),
      20_000,
      "the app's request, logged by node B",
    );
    expect(log.body.sessions).toEqual([expect.objectContaining({ email: "alice@example.com", address: "198.51.100.7" })]);

    for (const id of [plain.body.id, web.body.id]) expect((await aliceOnB.delete(`/tunnels/${id}`)).status).toBe(200);
    const gone = await browser.send(`${appUrl}/`, { headers: { cookie } });
    expect(gone.status).toBe(410);
  });

  it("carry a pinned host's tunnels on its nodes only: requested through another node, moved when the pin changes", async () => {
    const admin = apiClient(nodeA.url, await nodeA.createToken("admin@example.com"));
    const aliceOnB = apiClient(nodeB.url, aliceToken);
    const pin = (nodes: string[]) => admin.patch<{ nodes: string[]; error?: { field: string; message: string } }>(`/hosts/${hostId}`, { nodes });
    expect((await pin(["bastion-x"])).body.error).toEqual({
      code: "unprocessable_entity",
      field: "nodes",
      message: "bastion-x is not a Warren node; the nodes are bastion-a, bastion-b",
    });
    expect((await pin(["bastion-a"])).body.nodes).toEqual(["bastion-a"]);

    const port = await freePortInRange();
    const opened = await aliceOnB.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: target.port } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const { id } = opened.body;
    await waitFor(
      () => aliceOnB.get<Tunnel>(`/tunnels/${id}`),
      (r) => r.body.status === "active" && r.body.node === "bastion-a",
      20_000,
      "the tunnel requested through node B open on node A",
    );
    expect((await exchange(port, Buffer.from("pinned to a"))).received.toString()).toBe("pinned to a");

    expect((await pin(["bastion-b"])).body.nodes).toEqual(["bastion-b"]);
    await waitFor(
      () => aliceOnB.get<Tunnel>(`/tunnels/${id}`),
      (r) => r.body.status === "active" && r.body.node === "bastion-b",
      20_000,
      "the tunnel moved to node B",
    );
    expect((await exchange(port, Buffer.from("pinned to b"))).received.toString()).toBe("pinned to b");
    const moved = await admin.get<{ events: { details: Record<string, unknown> }[] }>(`/audit?tunnelId=${id}&action=tunnel.moved`);
    expect(moved.body.events.map((event) => event.details)).toEqual([{ by: "engine", from: "bastion-a", to: "bastion-b", listenAddress: "127.0.0.1" }]);

    expect((await aliceOnB.delete(`/tunnels/${id}`)).status).toBe(200);
    expect((await pin([])).body.nodes).toEqual([]);
  });

  it("apply a host policy changed through one node to the tunnels the other carries", async () => {
    const admin = apiClient(nodeA.url, await nodeA.createToken("admin@example.com"));
    const origin = await startOrigin({ size: 64 }); // answers and ends, as SOCKS fetches wait for
    const port = await freePortInRange();
    const socks = await apiClient(nodeB.url, aliceToken).post<Tunnel>("/tunnels", { hostId, kind: "dynamic", listen: { port } });
    expect([socks.status, socks.body.node], JSON.stringify(socks.body)).toEqual([201, "bastion-b"]);
    expect((await socksFetch(port, "127.0.0.1", origin.port)).reply).toBe(0);

    expect((await admin.patch(`/hosts/${hostId}`, { policy: { targets: ["10.0.0.0/8"] } })).status).toBe(200);
    // SOCKS5 "connection not allowed by ruleset", from node B, which carries it.
    await waitFor(
      () => socksFetch(port, "127.0.0.1", origin.port),
      (fetched) => fetched.reply === 2,
      20_000,
      "node B refusing the destination the new policy leaves out",
    );
    expect((await admin.patch(`/hosts/${hostId}`, { policy: { targets: [] } })).status).toBe(200);
    await waitFor(
      () => socksFetch(port, "127.0.0.1", origin.port),
      (fetched) => fetched.reply === 0,
      20_000,
      "node B allowing it again",
    );
    expect((await admin.delete(`/tunnels/${socks.body.id}`)).status).toBe(200);
    await origin.close();
  });

  it("takes a cleanly stopped node's tunnels over at once, saying it stopped", async () => {
    const [aliceOnA, aliceOnB] = [apiClient(nodeA.url, aliceToken), apiClient(nodeB.url, aliceToken)];
    const port = await freePortInRange();
    const opened = await aliceOnB.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: target.port } });
    expect([opened.status, opened.body.node], JSON.stringify(opened.body)).toEqual([201, "bastion-b"]);
    await nodeB.stop();
    await waitFor(
      () => aliceOnA.get<Tunnel>(`/tunnels/${opened.body.id}`),
      (r) => r.body.status === "active" && r.body.node === "bastion-a",
      30_000,
      "the tunnel active on node A",
    );
    const history = await aliceOnA.get<{ events: { reason: string | null }[] }>(`/tunnels/${opened.body.id}/history`);
    expect(history.body.events.map((event) => event.reason)).toContain("moved from node bastion-b, which stopped, to node bastion-a: reopening");
    expect((await exchange(port, Buffer.from("after a clean stop"))).received.toString()).toBe("after a clean stop");
    expect((await aliceOnA.delete(`/tunnels/${opened.body.id}`)).status).toBe(200);
    nodeB = await startWarren({ env: nodeB.env, dataDir: nodeB.dataDir, port: nodeB.port });
  });

  it("takes a dead node's tunnels over: the survivor reopens them, they carry data again, the owner is told and the move audited", async () => {
    const [aliceOnA, aliceOnB] = [apiClient(nodeA.url, aliceToken), apiClient(nodeB.url, aliceToken)];
    const admin = apiClient(nodeA.url, await nodeA.createToken("admin@example.com"));
    // A remote tunnel's target on the bastion's loopback must be named by the policy.
    expect((await admin.patch(`/hosts/${hostId}`, { policy: { targets: ["127.0.0.1"] } })).status).toBe(200);
    const port = await freePortInRange();
    const opened = await aliceOnB.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: target.port } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const { id } = opened.body;
    expect(opened.body.node).toBe("bastion-b");
    const remotePort = await freePort();
    const remote = await aliceOnB.post<Tunnel>("/tunnels", {
      hostId,
      kind: "remote",
      listen: { port: remotePort },
      target: { host: "127.0.0.1", port: target.port },
    });
    expect([remote.status, remote.body.node], JSON.stringify(remote.body)).toEqual([201, "bastion-b"]);
    const live = await watch(nodeA);
    try {
      await nodeB.kill();
      const moved = await waitFor(
        () => aliceOnA.get<Tunnel>(`/tunnels/${id}`),
        (r) => r.body.status === "active" && r.body.node === "bastion-a",
        90_000,
        "the tunnel active again on node A",
      );
      expect(moved.body).toMatchObject({ listen: { address: "127.0.0.1", port } });
      const sent = Buffer.from("through node a now");
      expect((await exchange(port, sent)).received.equals(sent)).toBe(true);
      // The remote tunnel's sshd listener, opened again from node A.
      await waitFor(
        () => aliceOnA.get<Tunnel>(`/tunnels/${remote.body.id}`),
        (r) => r.body.status === "active" && r.body.node === "bastion-a",
        90_000,
        "the remote tunnel active again from node A",
      );
      expect((await exchange(remotePort, sent)).received.equals(sent)).toBe(true);
      expect(live.events).toContainEqual({
        event: "tunnel:status",
        payload: expect.objectContaining({
          tunnelId: id,
          status: "starting",
          reason: "moved from node bastion-b, which stopped answering, to node bastion-a: reopening",
        }),
      });
    } finally {
      live.socket.close();
    }
    const audit = await admin.get<{ events: { action: string; details: Record<string, unknown> }[] }>(`/audit?tunnelId=${id}&action=tunnel.moved`);
    expect(audit.body.events.map((event) => event.details)).toEqual([{ by: "engine", from: "bastion-b", to: "bastion-a", listenAddress: "127.0.0.1" }]);
    expect((await nodeA.cli(["audit", "verify"])).code).toBe(0);
  });

  it("stream the audit trail to a sink from one node at a time; when that one dies the other goes on, with no gap", async () => {
    // Node B died in the test before: back, it finds node A holding the sink's lease (or takes it from the dead B).
    nodeB = await startWarren({ env: nodeB.env, dataDir: nodeB.dataDir, port: nodeB.port });
    const raw = await openRawDatabase(nodeA);
    const head = async () => Number((await raw.get<{ seq: number }>('SELECT MAX("seq") AS "seq" FROM "AuditEvent"'))!.seq);
    const holderOf = async () => (await raw.get<{ leaseNode: string | null }>('SELECT "leaseNode" FROM "AuditSink" WHERE "name" = ?', "webhook"))?.leaseNode;
    try {
      const allDelivered = async (what: string) => {
        const last = await head();
        await waitFor(async () => webhook.has(1, last), Boolean, 90_000, `webhook records 1-${last} ${what}`);
      };
      await allDelivered("while both nodes run");
      const holder = await waitFor(holderOf, (name) => name === "bastion-a" || name === "bastion-b", 30_000, "a node holding the webhook's lease");
      const [dying, survivor] = holder === "bastion-a" ? [nodeA, nodeB] : [nodeB, nodeA];
      const admin = apiClient(survivor.url, await survivor.createToken("admin@example.com"));
      await dying.kill();
      for (let index = 0; index < 5; index++) expect((await admin.post("/tokens", { name: `after ${holder} died ${index}` })).status).toBe(201);
      // The dead node's lease runs out, the survivor takes the sink over from the last acknowledged record.
      await allDelivered(`after ${holder} died`);
      expect(await holderOf()).toBe(holder === "bastion-a" ? "bastion-b" : "bastion-a");
      expect([webhook.gaps, webhook.badSignatures]).toEqual([[], 0]);
      const last = await head();
      for (let seq = 2; seq <= last; seq++) expect(webhook.bySeq.get(seq)!.prevHash).toBe(webhook.bySeq.get(seq - 1)!.hash);
    } finally {
      await raw.close();
    }
  });

  it("refuses to start a node whose keys differ from the ones sealed in the database", async () => {
    const other = { ...onNode("bastion-c"), WARREN_SECRET_KEY: "f".repeat(64) };
    const started = await runProcess(["server/index.ts"], { ...nodeA.env, ...other, PORT: String(await freePortInRange()) });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      "warren: WARREN_SECRET_KEY: differs from the one sealed in the database by the first Warren node to start: every node must use the same value",
    );
  });
});
