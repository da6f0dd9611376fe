// `warren connect` end to end: the client Warren serves, run with Node as a
// laptop would, carrying connections over Warren's own HTTP port through a
// real sshd to real targets. Bytes are checked by sha256 both ways; TCP's
// half-closes, early FINs, resets and zero-byte connections behave as through
// `ssh -L`; each kind of revocation ends live connections with the reason;
// the person is checked on every connection.
import type { ChildProcess } from "node:child_process";
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { exchange } from "@/tests/harness/exchange";
import { startTarget, type Tracker } from "@/tests/harness/tcp-target";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePort, freePortInRange, waitFor, waitForPort } from "@/tests/harness/free-port";
import { type Connected, downloadClient, type LaptopClient, startConnect as startConnectOn } from "@/tests/harness/laptop-client";
import { startSshd, type SshdHandle, hostInput } from "@/tests/harness/sshd";
import { startTlsFront } from "@/tests/harness/tls-front";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery";
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** `promise`, or a failure that shows what the client and Warren said, after a generous wait. */
function settles<T>(promise: Promise<T>, what: string, connected: Connected): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not happen within 20 s\nclient: ${connected.output()}\nwarren: ${warren.logs().slice(-3000)}`)), 20_000),
    ),
  ]);
}

/** Above the 200 concurrent connections the owner carries below. */
const CONNECT_CEILING = 250;
let sshd: SshdHandle;
let warren: WarrenHandle;
let laptop: LaptopClient;
let admin: ApiClient;
let owner: ApiClient;
let member: ApiClient;
const tokens: Record<string, string> = {};
let hostId: string;
let teamId: string;
let echo: Tracker;
/** A tunnel that expires a minute after the file starts, with a live connection: its end is checked last. */
let expiring: { id: string; target: Tracker; connected: Connected; ended: Promise<NodeJS.ErrnoException | undefined> };
const children = new Set<ChildProcess>();

async function startConnect(tunnelId: string, token: string, extra: string[] = [], url = warren.url): Promise<Connected> {
  const started = startConnectOn(laptop, { tunnelId, url, token, extra });
  void started.then(({ child }) => children.add(child));
  return started;
}

async function openTunnel(client: ApiClient, body: Record<string, unknown>): Promise<string> {
  const response = await client.post<{ id: string }>("/tunnels", { hostId, listen: { port: await freePortInRange() }, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id;
}

/** A live connection through connect: one exchange done, the socket kept open. */
async function live(connected: Connected): Promise<{ ended: Promise<NodeJS.ErrnoException | undefined> }> {
  const socket = net.connect({ port: connected.port, host: "127.0.0.1" });
  let error: NodeJS.ErrnoException | undefined;
  socket.on("error", (e) => (error = e));
  await new Promise<void>((resolve) => {
    socket.once("data", () => resolve());
    socket.write("ping");
  });
  return { ended: new Promise((resolve) => socket.once("close", () => resolve(error))) };
}

const localTo = (port: number, extra: Record<string, unknown> = {}) => ({ kind: "local", target: { host: "127.0.0.1", port }, ...extra });

beforeAll(async () => {
  [sshd, warren, echo] = await Promise.all([startSshd(), startWarren({ env: { WARREN_CONNECT_MAX_PER_USER: String(CONNECT_CEILING) } }), startTarget()]);
  for (const who of ["admin", "owner", "member", "stranger", "heavy"]) {
    await warren.createUser({ email: `${who}@example.com`, password, admin: who === "admin" });
    tokens[who] = await warren.createToken(`${who}@example.com`);
  }
  admin = apiClient(warren.url, tokens.admin!);
  owner = apiClient(warren.url, tokens.owner!);
  member = apiClient(warren.url, tokens.member!);
  teamId = (await admin.post<{ id: string }>("/teams", { name: "payments", ownerEmail: "owner@example.com" })).body.id;
  for (const email of ["member@example.com", "heavy@example.com"]) await admin.post(`/teams/${teamId}/members`, { email });
  const host = await admin.post<{ id: string }>("/hosts", {
    name: "db-gw",
    ...hostInput(sshd),
    teamIds: [teamId],
    // The tests below keep more tunnels open at once than a person's default share of a host.
    policy: { maxOpenPerUser: 100 },
  });
  hostId = host.body.id;
  laptop = await downloadClient(warren.url);
  const target = await startTarget(); // its own, so that the live connection is not counted on `echo`
  const id = await openTunnel(owner, localTo(target.port, { ttlMinutes: 1 }));
  const connected = await startConnect(id, tokens.owner!);
  expiring = { id, target, connected, ...(await settles(live(connected), "a live connection", connected)) };
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  laptop?.dispose();
  await Promise.all([warren?.dispose(), sshd?.dispose(), echo?.close()]);
});

describe("bytes and TCP semantics", () => {
  let tunnelId: string;
  let connected: Connected;
  beforeAll(async () => {
    tunnelId = await openTunnel(owner, localTo(echo.port));
    connected = await startConnect(tunnelId, tokens.owner!);
  });

  it("carries bytes both ways intact (sha256), the laptop's half-close first", async () => {
    const sent = randomBytes(8 * 1024 * 1024);
    const { received, ended, error } = await exchange(connected.port, sent);
    expect(error, connected.output() + warren.logs()).toBeUndefined();
    expect(ended).toBe(true);
    expect(sha(received)).toBe(sha(sent));
  });

  it("records each connection under the person, via connect, with its bytes", async () => {
    const events = await waitFor(
      async () =>
        (await admin.get<{ events: { action: string; details: Record<string, unknown> }[] }>(`/audit?tunnelId=${tunnelId}&action=connection.closed&limit=200`))
          .body.events,
      (list) => list.some((e) => e.action === "connection.closed" && e.details.bytesOut === 8 * 1024 * 1024),
      20_000,
      "the 8 MiB connection's record",
    );
    const closed = events.find((e) => e.action === "connection.closed" && e.details.bytesOut === 8 * 1024 * 1024)!;
    expect(closed.details).toMatchObject({ via: "connect", user: "owner@example.com", source: "127.0.0.1", bytesIn: 8 * 1024 * 1024 });
    expect(typeof closed.details.durationMs).toBe("number");
  });

  it("the target's half-close first: its FIN arrives, and the laptop's bytes still flow after it", async () => {
    const greeting = randomBytes(1024 * 1024);
    const greeter = await startTarget(greeting);
    const id = await openTunnel(owner, localTo(greeter.port));
    const { port } = await startConnect(id, tokens.owner!);
    const answer = randomBytes(2 * 1024 * 1024);
    const result = await new Promise<{ got: Buffer }>((resolve, reject) => {
      const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.once("error", reject);
      // Only once the target's FIN arrived does the laptop send, then end its side.
      socket.once("end", () => socket.end(answer));
      socket.once("close", () => resolve({ got: Buffer.concat(chunks) }));
    });
    expect(sha(result.got)).toBe(sha(greeting));
    await waitFor(
      () => Promise.resolve(greeter.received),
      (r) => r.length === 1,
      20_000,
      "the target received the laptop's bytes",
    );
    expect(greeter.received[0]).toBe(sha(answer));
    await greeter.close();
  });

  it("a laptop application that stops reading holds the target back, then gets every byte", async () => {
    const big = randomBytes(128 * 1024 * 1024);
    const sender = await startTarget(big);
    const id = await openTunnel(owner, localTo(sender.port));
    const { port, output } = await startConnect(id, tokens.owner!);
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    socket.pause();
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    // While nothing is read, each hop's window fills and the target is held back: most of it stays with the target.
    await waitFor(
      () => Promise.resolve(sender.accepted()),
      (n) => n === 1,
      20_000,
      "the target's connection",
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(sender.unsent(), output()).toBeGreaterThan(64 * 1024 * 1024);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk)).resume();
    await new Promise<void>((resolve) => socket.once("end", () => resolve()));
    socket.end();
    expect(sha(Buffer.concat(chunks))).toBe(sha(big));
    await sender.close();
  });

  it("a target that stops reading holds the laptop application back, then gets every byte", async () => {
    const big = randomBytes(128 * 1024 * 1024);
    const held: net.Socket[] = [];
    const sink = net.createServer({ allowHalfOpen: true }, (socket) => held.push(socket.pause()));
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    const id = await openTunnel(owner, localTo((sink.address() as net.AddressInfo).port));
    const { port } = await startConnect(id, tokens.owner!);
    const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
    socket.on("error", () => {});
    socket.end(big);
    await waitFor(
      () => Promise.resolve(held.length),
      (n) => n === 1,
      20_000,
      "the target's connection",
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // Each hop's window filled: most of it is still with the application, none of it piled up on the way.
    expect(socket.writableLength).toBeGreaterThan(64 * 1024 * 1024);
    const chunks: Buffer[] = [];
    const target = held[0]!;
    target.on("data", (chunk: Buffer) => chunks.push(chunk)).resume();
    await new Promise<void>((resolve) => target.once("end", () => resolve()));
    expect(sha(Buffer.concat(chunks))).toBe(sha(big));
    target.end();
    sink.close();
  });

  it("early FINs and zero-byte connections leave nothing open on the target", async () => {
    const before = echo.accepted();
    const early = await Promise.all(Array.from({ length: 10 }, () => exchange(connected.port, Buffer.alloc(0))));
    for (const one of early) expect(one).toMatchObject({ ended: true, error: undefined });
    const dropped = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<void>((resolve) => {
            const socket = net.connect({ port: connected.port, host: "127.0.0.1" });
            socket.once("connect", () => socket.destroy());
            socket.once("close", () => resolve());
          }),
      ),
    );
    expect(dropped).toHaveLength(10);
    await waitFor(
      () => Promise.resolve(echo.accepted() - before),
      (n) => n >= 10,
      20_000,
      "the early FINs reached the target",
    );
    await waitFor(
      () => Promise.resolve(echo.open()),
      (n) => n === 0,
      20_000,
      "no connection left open on the target",
    );
  });

  it("carries 200 concurrent connections", async () => {
    const payloads = Array.from({ length: 200 }, () => randomBytes(32 * 1024));
    const results = await Promise.all(payloads.map((payload) => exchange(connected.port, payload)));
    results.forEach((result, index) => {
      expect(result.error).toBeUndefined();
      expect(sha(result.received)).toBe(sha(payloads[index]!));
    });
  });

  it("an unreachable target reaches the laptop's application as a reset", async () => {
    const id = await openTunnel(owner, localTo(await freePort()));
    const { port, output } = await startConnect(id, tokens.owner!);
    const result = await exchange(port, Buffer.from("hello"));
    expect(result.error).toBe("ECONNRESET");
    await waitFor(
      () => Promise.resolve(output()),
      (text) => /refused the connection/.test(text),
      20_000,
      "the reason, with --verbose",
    );
  });
});

describe("who may connect", () => {
  it("refuses a team member who did not join, and says why (exit 1)", async () => {
    const id = await openTunnel(owner, localTo(echo.port, { teamId }));
    const connected = await startConnect(id, tokens.member!);
    const result = await exchange(connected.port, Buffer.from("x"));
    expect(result.error).toBe("ECONNRESET");
    expect(await connected.exited).toBe(1);
    expect(connected.output()).toContain("you have not joined it");
    expect(echo.open()).toBe(0);
  });

  it("refuses another user's token, a token in the URL and no token, before upgrading", async () => {
    const id = await openTunnel(owner, localTo(echo.port));
    const refusal = (url: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WebSocket(url, { headers });
        ws.once("open", () => reject(new Error("upgraded")));
        ws.once("unexpected-response", (_req, res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
      });
    const base = `${warren.url.replace(/^http/, "ws")}/api/v1/tunnels/${id}/connect`;
    const other = await refusal(base, { authorization: `Bearer ${tokens.stranger}` });
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body).error.message).toBe(`no tunnel ${id} that you may use`);
    const inUrl = await refusal(`${base}?token=${tokens.owner}`, {});
    expect(inUrl.status).toBe(401);
    const bad = await refusal(base, { authorization: "Bearer wrn_not_a_token" });
    expect(bad.status).toBe(401);
    // The client itself, with the stranger's token: one clear line, exit 1.
    const run = await laptop.run(["connect", id, "--url", warren.url, "--token", tokens.stranger!]);
    expect(run.code).toBe(1);
  });
});

describe("one person's live connections", () => {
  it("stop at WARREN_CONNECT_MAX_PER_USER: one more is refused with why, the open ones carry on", async () => {
    const heavy = apiClient(warren.url, tokens.heavy!);
    const connected = await startConnect(await openTunnel(heavy, localTo(echo.port)), tokens.heavy!);
    const held = await settles(Promise.all(Array.from({ length: CONNECT_CEILING }, () => live(connected))), "the connections up to the ceiling", connected);
    const refused = await exchange(connected.port, Buffer.from("one more"));
    expect(refused.error).toBe("ECONNRESET");
    // The client's line reaches this process through a pipe, maybe after the reset did.
    await settles(
      waitFor(
        async () => connected.output(),
        (output) => output.includes(`you have ${CONNECT_CEILING} connections open through warren connect`),
      ),
      "the refusal's reason printed",
      connected,
    );
    expect(connected.child.exitCode).toBeNull();
    connected.child.kill();
    await settles(Promise.all(held.map((one) => one.ended)), "the held connections' end", connected);
  });
});

describe("revocation ends live connections, with the reason", () => {
  it("closing the tunnel", async () => {
    const id = await openTunnel(owner, localTo(echo.port));
    const connected = await startConnect(id, tokens.owner!);
    const { ended } = await settles(live(connected), "a live connection", connected);
    expect((await owner.delete(`/tunnels/${id}`)).status).toBe(200);
    await settles(ended, "the live connection's end", connected);
    expect(await settles(connected.exited, "the client's exit", connected)).toBe(1);
    expect(connected.output()).toMatch(new RegExp(`tunnel ${id} (was closed|is closed)`));
  });

  it("revoking the token", async () => {
    const id = await openTunnel(owner, localTo(echo.port));
    const created = await owner.post<{ id: string; token: string }>("/tokens", { name: "laptop" });
    const connected = await startConnect(id, created.body.token);
    const { ended } = await settles(live(connected), "a live connection", connected);
    expect((await owner.delete(`/tokens/${created.body.id}`)).status).toBe(200);
    await settles(ended, "the live connection's end", connected);
    expect(await settles(connected.exited, "the client's exit", connected)).toBe(1);
    expect(connected.output()).toContain("your token was revoked");
  });

  it("removing a participant", async () => {
    const id = await openTunnel(owner, localTo(echo.port, { teamId }));
    expect((await member.post(`/tunnels/${id}/join`)).status).toBe(200);
    const connected = await startConnect(id, tokens.member!);
    const { ended } = await settles(live(connected), "a live connection", connected);
    const users = (await admin.get<{ users: { id: string; email: string }[] }>("/users")).body.users;
    const memberId = users.find((u) => u.email === "member@example.com")!.id;
    expect((await owner.delete(`/tunnels/${id}/participants/${memberId}`)).status).toBe(200);
    await settles(ended, "the live connection's end", connected);
    expect(await settles(connected.exited, "the client's exit", connected)).toBe(1);
    expect(connected.output()).toContain("you have not joined it");
  });

  it("disabling the user, from the admin CLI in another process", async () => {
    await warren.createUser({ email: "leaver@example.com", password });
    await admin.post(`/teams/${teamId}/members`, { email: "leaver@example.com" });
    const token = await warren.createToken("leaver@example.com");
    const id = await openTunnel(apiClient(warren.url, token), localTo(echo.port));
    const connected = await startConnect(id, token);
    const { ended } = await settles(live(connected), "a live connection", connected);
    expect((await warren.cli(["user", "disable", "--email", "leaver@example.com"])).code).toBe(0);
    await settles(ended, "the live connection's end", connected);
    expect(await settles(connected.exited, "the client's exit", connected)).toBe(1);
  });
});

describe("a dynamic tunnel through the client's SOCKS", () => {
  it("reaches an allowed destination with curl, and refuses one the host does not allow", async () => {
    const web = http.createServer((_req, res) => res.end("hello through connect"));
    await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
    const webPort = (web.address() as net.AddressInfo).port;
    const policed = await admin.post<{ id: string }>("/hosts", {
      name: "web-gw",
      ...hostInput(sshd),
      policy: { kinds: ["dynamic"], targets: ["127.0.0.1/32"], ports: [String(webPort)], maxTtlMinutes: 120 },
    });
    const opened = await owner.post<{ id: string }>("/tunnels", { kind: "dynamic", hostId: policed.body.id, listen: { port: await freePortInRange() } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const { port } = await startConnect(opened.body.id, tokens.owner!);
    const curl = promisify(execFile);
    const { stdout } = await curl("curl", ["-sS", "--max-time", "20", "--socks5-hostname", `127.0.0.1:${port}`, `http://127.0.0.1:${webPort}/`]);
    expect(stdout).toBe("hello through connect");
    const refused = await curl("curl", ["-sS", "--max-time", "20", "--socks5-hostname", `127.0.0.1:${port}`, `http://127.0.0.1:${echo.port}/`]).catch(
      (error: { code: number }) => error,
    );
    expect((refused as { code: number }).code).toBe(97); // curl: the proxy refused the connection
    const events = await waitFor(
      async () => (await admin.get<{ events: { action: string; details: Record<string, unknown> }[] }>(`/audit?tunnelId=${opened.body.id}`)).body.events,
      (list) => list.some((e) => e.action === "connection.refused"),
      20_000,
      "the refusal audited",
    );
    expect(events.find((e) => e.action === "connection.refused")!.details).toMatchObject({
      via: "connect",
      user: "owner@example.com",
      destination: `127.0.0.1:${echo.port}`,
    });
    web.close();
  });
});

describe("the same TCP behaviour as ssh -L through the same sshd", () => {
  /** What the laptop's application sees: `send` written and half-closed at `when` (at once, or once the target ended its side). */
  function seen(port: number, send: string, when: "at-once" | "after-target-end"): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true });
      let received = "";
      let outcome = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
      socket.once("connect", () => when === "at-once" && socket.end(send));
      socket.once("end", () => {
        outcome = `end after ${JSON.stringify(received)}`;
        if (when === "after-target-end") socket.end(send);
      });
      socket.once("error", (error: NodeJS.ErrnoException) => (outcome ||= error.code === "ECONNRESET" ? "reset" : (error.code ?? error.message)));
      socket.once("close", () => resolve(outcome));
    });
  }

  it("half-closes both ways, early FINs and an unreachable target", async () => {
    const greeter = await startTarget(Buffer.from("hello"));
    const closedPort = await freePort();
    // Three ports each found free (three in a row may not be: ExitOnForwardFailure would end ssh).
    const sshPorts: number[] = [];
    while (sshPorts.length < 3) {
      const port = await freePortInRange();
      if (!sshPorts.includes(port)) sshPorts.push(port);
    }
    const forwards = [echo.port, greeter.port, closedPort].flatMap((target, index) => ["-L", `127.0.0.1:${sshPorts[index]}:127.0.0.1:${target}`]);
    const args = sshd.sshArgs();
    const ssh = spawn("ssh", [...args.slice(0, -1), "-N", "-o", "ExitOnForwardFailure=yes", ...forwards, args.at(-1)!], { stdio: "ignore" });
    children.add(ssh);
    for (const port of sshPorts) await waitForPort(port);
    const viaConnect = await Promise.all(
      [echo.port, greeter.port, closedPort].map(async (target) => (await startConnect(await openTunnel(owner, localTo(target)), tokens.owner!)).port),
    );
    const scenarios = async ([toEcho, toGreeter, toNothing]: number[]) => ({
      laptopFirst: await seen(toEcho!, "ping", "at-once"),
      earlyFin: await seen(toEcho!, "", "at-once"),
      targetFirst: await seen(toGreeter!, "answer", "after-target-end"),
      unreachable: await seen(toNothing!, "x", "at-once"),
    });
    const { unreachable: sshUnreachable, ...throughSsh } = await scenarios(sshPorts);
    expect(throughSsh).toEqual({ laptopFirst: 'end after "ping"', earlyFin: 'end after ""', targetFirst: 'end after "hello"' });
    // ssh -L resets only while the client's bytes are still unread when the channel open fails (its close() of
    // unread data), which is a race; through connect a target that cannot be reached is always a reset.
    expect(["reset", 'end after ""']).toContain(sshUnreachable);
    expect(await scenarios(viaConnect)).toEqual({ ...throughSsh, unreachable: "reset" });
    // (waitForPort's probe through ssh -L was a connection of its own, which sent nothing.)
    const answer = sha(Buffer.from("answer"));
    await waitFor(
      () => Promise.resolve(greeter.received),
      (r) => r.filter((one) => one === answer).length === 2,
      20_000,
      "the target heard the answer both ways",
    );
    ssh.kill();
    await greeter.close();
  });
});

describe("behind a TLS proxy with a private CA", () => {
  it("carries bytes over wss:// with --ca, and says what to do without it", async () => {
    const front = await startTlsFront(warren.port);
    const id = await openTunnel(owner, localTo(echo.port));
    const refused = await laptop.run(["connect", id, "--url", front.url, "--token", tokens.owner!]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/certificate.*--ca/);
    const connected = await startConnect(id, tokens.owner!, ["--ca", front.caFile], front.url);
    const payload = randomBytes(512 * 1024);
    const answer = await settles(exchange(connected.port, payload), "an exchange over wss://", connected);
    expect(sha(answer.received)).toBe(sha(payload));
    connected.child.kill();
    await front.close();
  });
});

// Last: the tunnel opened for a minute in beforeAll has expired while the tests above ran.
describe("expiry ends live connections too", () => {
  it("the tunnel's TTL runs out", async () => {
    const { id, target, connected, ended } = expiring;
    await Promise.race([ended, new Promise((_, reject) => setTimeout(() => reject(new Error(`tunnel ${id} did not expire: ${connected.output()}`)), 90_000))]);
    expect(await settles(connected.exited, "the client's exit", connected)).toBe(1);
    expect(connected.output()).toMatch(new RegExp(`tunnel ${id} (was closed|is expired)`));
    expect((await owner.get<{ status: string }>(`/tunnels/${id}`)).body.status).toBe("expired");
    await waitFor(
      () => Promise.resolve(target.open()),
      (open) => open === 0,
      20_000,
      "the target's connection closed",
    );
    await target.close();
  }, 120_000);
});
