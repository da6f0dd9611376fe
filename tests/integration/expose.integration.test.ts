// `warren expose` end to end: a remote tunnel through a real sshd whose far
// end is the laptop client Warren serves, run with Node as a laptop would. A
// connection at the gateway's port reaches a service on the laptop's side;
// bytes are checked by sha256 both ways, half-closes pass both ways, many
// connections at once; with no client attached the gateway's connections are
// reset; only the owner may attach, a newer client takes over, and closing the
// tunnel ends the client with the reason; a restart of Warren is ridden out.
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchange } from "@/tests/harness/exchange";
import { startTarget } from "@/tests/harness/tcp-target";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePort, waitFor } from "@/tests/harness/free-port";
import { downloadClient, type LaptopClient } from "@/tests/harness/laptop-client";
import { eachEvent } from "@/tests/harness/socket-events";
import { startSshd, type SshdHandle, hostInput } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery";
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

type Tunnel = { id: string; status: string; target: unknown; clientAttached?: boolean; connectionsTotal: number };

let sshd: SshdHandle;
let warren: WarrenHandle;
let laptop: LaptopClient;
let owner: ApiClient;
let admin: ApiClient;
const tokens: Record<string, string> = {};
let hostId: string;
const children = new Set<ChildProcess>();

type Exposed = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

async function startExpose(tunnelId: string, to: string, token = tokens.owner!): Promise<Exposed> {
  const child = laptop.start(["expose", tunnelId, "--to", to, "--url", warren.url, "--token", token, "--verbose"]);
  children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await waitFor(
    () => Promise.resolve(output),
    (text) => text.includes("attached:") || child.exitCode !== null,
    20_000,
    "expose attached",
  );
  return { child, output: () => output, exited };
}

async function openToClient(): Promise<{ id: string; port: number }> {
  const port = await freePort();
  const response = await owner.post<Tunnel>("/tunnels", { hostId, kind: "remote", listen: { address: "127.0.0.1", port }, target: { client: true } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body).toMatchObject({ status: "active", target: { client: true }, clientAttached: false });
  return { id: response.body.id, port };
}

const state = (id: string) => owner.get<Tunnel>(`/tunnels/${id}`).then((r) => r.body);

beforeAll(async () => {
  [sshd, warren] = await Promise.all([startSshd(), startWarren()]);
  for (const who of ["admin", "owner", "member"]) {
    await warren.createUser({ email: `${who}@example.com`, password, admin: who === "admin" });
    tokens[who] = await warren.createToken(`${who}@example.com`);
  }
  admin = apiClient(warren.url, tokens.admin!);
  owner = apiClient(warren.url, tokens.owner!);
  const host = await admin.post<{ id: string }>("/hosts", {
    name: "gateway",
    ...hostInput(sshd),
    visibleToAll: true,
    policy: { maxOpenPerUser: 20 },
  });
  hostId = host.body.id;
  laptop = await downloadClient(warren.url);
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  laptop?.dispose();
  await Promise.all([warren?.dispose(), sshd?.dispose()]);
});

describe("a remote tunnel to the owner's computer", () => {
  it("resets the gateway's connections while no client holds it", async () => {
    const { port } = await openToClient();
    const result = await exchange(port, Buffer.from("anyone there?"));
    expect(result.received.length).toBe(0);
    expect(result.error === "ECONNRESET" || result.ended).toBe(true);
  });

  it("carries bytes both ways to a service on the laptop, half-closes both ways, and many at once", async () => {
    const echo = await startTarget();
    const greeter = await startTarget(Buffer.from("hello from the laptop"));
    const toEcho = await openToClient();
    const toGreeter = await openToClient();
    await startExpose(toEcho.id, String(echo.port));
    await startExpose(toGreeter.id, `127.0.0.1:${greeter.port}`);
    expect((await state(toEcho.id)).clientAttached).toBe(true);

    const payload = randomBytes(4 * 1024 * 1024);
    const echoed = await exchange(toEcho.port, payload);
    expect([sha(echoed.received), echoed.ended]).toEqual([sha(payload), true]);
    // Recorded under the owner, via expose, with the gateway-side source (alone in its commit: one by one).
    const events = await waitFor(
      async () => (await admin.get<{ events: { action: string; details: Record<string, unknown> }[] }>(`/audit?tunnelId=${toEcho.id}`)).body.events,
      (list) => list.some((event) => event.action === "connection.closed"),
      20_000,
      "the connection's record",
    );
    expect(events.find((event) => event.action === "connection.closed")!.details).toMatchObject({
      via: "expose",
      user: "owner@example.com",
      client: "127.0.0.1",
      source: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });

    const greeted = await exchange(toGreeter.port, Buffer.from("answer after your FIN"));
    expect(greeted.received.toString()).toBe("hello from the laptop");
    await waitFor(
      () => Promise.resolve(greeter.received),
      (r) => r.length === 1,
      20_000,
      "the service heard the answer",
    );
    expect(greeter.received[0]).toBe(sha(Buffer.from("answer after your FIN")));

    const many = Array.from({ length: 100 }, () => randomBytes(16 * 1024));
    const results = await Promise.all(many.map((one) => exchange(toEcho.port, one)));
    expect(results.map((result) => sha(result.received))).toEqual(many.map(sha));
    expect((await state(toEcho.id)).connectionsTotal).toBeGreaterThanOrEqual(101);
    await echo.close();
    await greeter.close();
  });

  it("a service the laptop cannot reach resets the gateway's connection, and the client says why", async () => {
    const tunnel = await openToClient();
    const exposed = await startExpose(tunnel.id, String(await freePort()));
    const result = await exchange(tunnel.port, Buffer.from("x"));
    expect(result.received.length).toBe(0);
    expect(exposed.output()).toMatch(/refused a connection from the gateway \(ECONNREFUSED\)/);
  });

  it("tells its owner live when the client attaches and when it leaves", async () => {
    const echo = await startTarget();
    const tunnel = await openToClient();
    const socket = io(warren.url, { auth: { token: tokens.owner }, transports: ["websocket"], reconnection: false });
    const heard: unknown[] = [];
    socket.onAny((event: string, payload: unknown) => {
      for (const one of eachEvent(event, payload)) if (one.tunnelId === tunnel.id && "clientAttached" in one) heard.push(one.clientAttached);
    });
    await new Promise<void>((resolve, reject) => socket.once("connect", () => resolve()).once("connect_error", reject));
    const exposed = await startExpose(tunnel.id, String(echo.port));
    await waitFor(
      () => Promise.resolve(heard),
      (list) => list.at(-1) === true,
      20_000,
      "attached, live",
    );
    exposed.child.kill("SIGINT");
    expect(await exposed.exited).toBe(0);
    await waitFor(
      () => Promise.resolve(heard),
      (list) => list.at(-1) === false,
      20_000,
      "left, live",
    );
    expect((await state(tunnel.id)).clientAttached).toBe(false);
    socket.close();
    await echo.close();
  });

  it("attaches again on its own after Warren restarts", async () => {
    const echo = await startTarget();
    const tunnel = await openToClient();
    const exposed = await startExpose(tunnel.id, String(echo.port));
    expect((await warren.stop()).code).toBe(0);
    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port });
    await waitFor(
      () => Promise.resolve(exposed.output()),
      (text) => text.split("attached:").length > 2,
      60_000,
      "expose attached again",
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the client said:\n${exposed.output()}`);
    });
    expect(exposed.child.exitCode).toBeNull();
    const echoed = await exchange(tunnel.port, Buffer.from("after the restart"));
    expect(echoed.received.toString()).toBe("after the restart");
    await echo.close();
  }, 120_000);

  it("only its owner may attach; a newer client takes over; closing the tunnel ends the client with why", async () => {
    const echo = await startTarget();
    const tunnel = await openToClient();
    const stranger = await laptop.run(["expose", tunnel.id, "--to", String(echo.port), "--url", warren.url, "--token", tokens.member!]);
    expect(stranger.code).toBe(1);
    const first = await startExpose(tunnel.id, String(echo.port));
    const second = await startExpose(tunnel.id, String(echo.port));
    expect(await first.exited).toBe(1);
    expect(first.output()).toContain("another warren expose client took this tunnel over");
    expect(sha((await exchange(tunnel.port, Buffer.from("still here"))).received)).toBe(sha(Buffer.from("still here")));
    // A live connection at the gateway, open while the tunnel closes: it ends too.
    const live = net.connect({ port: tunnel.port, host: "127.0.0.1" });
    live.on("error", () => {});
    await new Promise<void>((resolve) => live.once("data", () => resolve()).write("ping"));
    const ended = new Promise<void>((resolve) => live.once("close", () => resolve()));
    expect((await owner.delete(`/tunnels/${tunnel.id}`)).status).toBe(200);
    await ended;
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`tunnel ${tunnel.id} (was closed|is closed)`));
    await echo.close();
  });
});
