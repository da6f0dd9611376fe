// The SSH link under a tunnel fails in the middle of a transfer: sshd is
// killed, or the cable between the bastion and the host goes down (a veth
// in a network namespace, so nothing answers: no RST, no FIN, only silence
// that SSH keepalives must notice). Each time the owner's socket is told
// `reconnecting`, the connection in flight is ended rather than left hanging,
// and once the host is back the tunnel is `active` again with no one acting,
// carrying new connections.
//
//   root namespace: this test and Warren ── 10.78.9.x/30 veth ── host namespace: sshd :22, origin 127.0.0.1:80
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import net from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePortInRange, waitFor } from "@/tests/harness/free-port";
import { addNetns, addVeth, deleteNetns, deleteStaleNetns, ip, requireNetns, rootAddresses, spawnIn } from "@/tests/harness/netns";
import { fetchAll } from "@/tests/harness/origin";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { REPO_ROOT, startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Tunnel = { id: string; status: string; statusReason: string | null; bytesIn: number; connections: number };
type StatusEvent = { tunnelId: string; status: string; reason: string | null };

const TAG = "wf";
const PREFIX = `${TAG}${process.pid}`;
const HOST_NS = `${PREFIX}-host`;
// Far more than SSH windows and socket buffers hold: a stalled download of it is surely unfinished.
const ORIGIN_SIZE = 64 * 1024 * 1024;
const password = "correct horse battery";

let warren: WarrenHandle;
let admin: ApiClient;
let alice: ApiClient;
let aliceSocket: Socket;
const statusEvents: StatusEvent[] = [];
let loopbackSshd: SshdHandle;
let netnsSshd: SshdHandle;
let origin: ChildProcess;
let originSha256 = "";
let hostAddress = "";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const tunnelState = (id: string) => alice.get<Tunnel>(`/tunnels/${id}`).then((r) => r.body);
const statusesOf = (tunnelId: string) => statusEvents.filter((event) => event.tunnelId === tunnelId).map((event) => event.status);

/** The host namespace and its cable; answers the host's address. */
async function buildHostNetwork(): Promise<string> {
  await requireNetns();
  await deleteStaleNetns(TAG, PREFIX);
  await addNetns(HOST_NS);
  const taken = new Set(await rootAddresses());
  const block = Array.from({ length: 64 }, (_, k) => 4 * k).find((base) => !taken.has(`10.78.9.${base + 1}`));
  if (block === undefined) throw new Error("every /30 in 10.78.9.0/24 is taken in the root namespace");
  await addVeth({ name: PREFIX, address: `10.78.9.${block + 1}/30` }, { netns: HOST_NS, name: "to-bastion", address: `10.78.9.${block + 2}/30` });
  return `10.78.9.${block + 2}`;
}

async function startOriginInHost(): Promise<void> {
  const script = [process.execPath, "--import", "tsx", "tests/harness/origin-process.ts", "--host", "127.0.0.1", "--port", "80", "--size", String(ORIGIN_SIZE)];
  origin = spawnIn(HOST_NS, script, { cwd: REPO_ROOT });
  const line = await new Promise<string>((resolve, reject) => {
    origin.once("exit", (code) => reject(new Error(`origin exited (${code})`)));
    createInterface({ input: origin.stdout! }).once("line", resolve);
  });
  originSha256 = (JSON.parse(line) as { sha256: string }).sha256;
}

async function addHost(name: string, sshd: SshdHandle, address: string): Promise<string> {
  const created = await admin.post<{ id: string }>("/hosts", { name, address, port: sshd.port, username: sshd.username, privateKey: sshd.privateKey });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

async function openLocal(hostId: string, targetPort: number): Promise<{ id: string; port: number }> {
  const port = await freePortInRange();
  const response = await alice.post<Tunnel>("/tunnels", { hostId, kind: "local", listen: { port }, target: { host: "127.0.0.1", port: targetPort } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.status).toBe("active");
  return { id: response.body.id, port };
}

/** A download that reads its first bytes and then stops reading: the transfer
 *  is stuck half-way on flow control, so the fault surely lands mid-transfer.
 *  `resume()` reads on, to see the connection end. */
async function stalledDownload(port: number): Promise<{ received: () => number; resume: () => void; closed: Promise<void> }> {
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.on("error", () => {});
  let received = 0;
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("data", (chunk: Buffer) => (received += chunk.length));
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  socket.pause();
  return { received: () => received, resume: () => socket.resume(), closed: settlesWithin(closed, 60_000, "the download ended by Warren") };
}

function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what}: not within ${ms} ms`)))]);
}

beforeAll(async () => {
  hostAddress = await buildHostNetwork();
  [loopbackSshd, netnsSshd] = await Promise.all([startSshd(), startSshd({ netns: HOST_NS, listenAddress: hostAddress, port: 22 }), startOriginInHost()]);
  warren = await startWarren();
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await warren.createUser({ email: "alice@example.com", password });
  admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const aliceToken = await warren.createToken("alice@example.com");
  alice = apiClient(warren.url, aliceToken);
  aliceSocket = io(warren.url, { auth: { token: aliceToken }, transports: ["websocket"], reconnection: false });
  aliceSocket.on("tunnel:status", (event: StatusEvent) => statusEvents.push(event));
  await new Promise<void>((resolve, reject) => {
    aliceSocket.once("connect", resolve);
    aliceSocket.once("connect_error", reject);
  });
});

afterAll(async () => {
  aliceSocket?.close();
  try {
    await Promise.allSettled([warren?.dispose(), loopbackSshd?.dispose(), netnsSshd?.dispose()]);
    origin?.kill("SIGTERM");
  } finally {
    await deleteNetns(HOST_NS);
    await ip("link", "del", PREFIX).catch(() => {});
  }
});

describe("sshd killed in the middle of a transfer", () => {
  it("ends the transfer, tells the owner live, and heals by itself when sshd is back", async () => {
    // A loopback target that streams for as long as the connection lasts.
    const target = net.createServer((socket) => {
      socket.on("error", () => {});
      const timer = setInterval(() => socket.write(Buffer.alloc(64 * 1024, 1)), 5);
      socket.once("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    try {
      const hostId = await addHost("loopback", loopbackSshd, loopbackSshd.host);
      const tunnel = await openLocal(hostId, (target.address() as net.AddressInfo).port);
      const download = await stalledDownload(tunnel.port);
      await waitFor(
        () => tunnelState(tunnel.id),
        (t) => t.connections === 1,
        10_000,
        "the download in flight",
      );

      await loopbackSshd.kill();
      await waitFor(
        async () => statusesOf(tunnel.id),
        (s) => s.includes("reconnecting"),
        30_000,
        "a reconnecting event on alice's socket",
      );
      download.resume();
      await download.closed; // not left hanging
      const down = await tunnelState(tunnel.id);
      expect(down).toMatchObject({ status: "reconnecting", connections: 0 });
      expect(down.statusReason).toContain("loopback");

      await loopbackSshd.restart();
      await waitFor(
        async () => statusesOf(tunnel.id),
        (s) => s.at(-1) === "active",
        60_000,
        "an active event after sshd returned",
      );
      expect(statusesOf(tunnel.id)).toEqual(["active", "reconnecting", "active"]);
      const again = await stalledDownload(tunnel.port);
      expect(again.received()).toBeGreaterThan(0);
      await alice.delete(`/tunnels/${tunnel.id}`);
      again.resume();
      await again.closed;
    } finally {
      target.close();
    }
  }, 120_000);
});

describe("the cable between the bastion and the host cut and restored", () => {
  it("notices the silence through keepalives, tells the owner, and heals when the cable is back", async () => {
    const hostId = await addHost("behind-cable", netnsSshd, hostAddress);
    const tunnel = await openLocal(hostId, 80);
    expect(sha256(await fetchAll("127.0.0.1", tunnel.port))).toBe(originSha256);
    const download = await stalledDownload(tunnel.port);

    await ip("-n", HOST_NS, "link", "set", "to-bastion", "down");
    // ssh2 keepalives every 10 s, three missed: well within 90 s.
    await waitFor(
      async () => statusesOf(tunnel.id),
      (s) => s.includes("reconnecting"),
      90_000,
      "a reconnecting event on alice's socket",
    );
    download.resume();
    await download.closed;
    expect(download.received()).toBeLessThan(ORIGIN_SIZE);
    expect((await tunnelState(tunnel.id)).status).toBe("reconnecting");

    await ip("-n", HOST_NS, "link", "set", "to-bastion", "up");
    await waitFor(
      async () => statusesOf(tunnel.id),
      (s) => s.at(-1) === "active",
      90_000,
      "an active event after the cable was restored",
    );
    expect(statusesOf(tunnel.id)).toEqual(["active", "reconnecting", "active"]);
    expect(sha256(await fetchAll("127.0.0.1", tunnel.port))).toBe(originSha256);
    expect((await fetch(`${warren.url}/api/v1/health`)).status).toBe(200);
    await alice.delete(`/tunnels/${tunnel.id}`);
  }, 240_000);
});
