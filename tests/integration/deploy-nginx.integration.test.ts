// Warren behind TLS as docs/operations.md deploys it (issue #25): a real nginx
// runs the repo's deploy/nginx.conf as shipped (tests/harness/nginx-front.ts
// substitutes only ports, names and files), and Warren runs with the settings
// the file's header names. Sign-in, API tokens, the live socket and `warren
// connect` all go through it over https, and the audit names the client as
// nginx saw it. The client comes from 127.0.0.7, not nginx's own 127.0.0.1,
// so that an address nginx did not pass cannot look right by chance.
import { createHash, randomBytes } from "node:crypto";
import http2 from "node:http2";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchange } from "@/tests/harness/exchange";
import { freePort, freePortInRange, waitFor } from "@/tests/harness/free-port";
import { httpFrom } from "@/tests/harness/http-from";
import { type Connected, downloadClient, type LaptopClient, startConnect } from "@/tests/harness/laptop-client";
import { type NginxFront, startNginxFront } from "@/tests/harness/nginx-front";
import { signInAttempt } from "@/tests/harness/sign-in";
import { eachEvent } from "@/tests/harness/socket-events";
import { hostInput, type SshdHandle, startSshd } from "@/tests/harness/sshd";
import { startTarget, type Tracker } from "@/tests/harness/tcp-target";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

const password = "correct horse battery";
const ADMIN = "admin@example.com";
/** The client's machine: any loopback address but nginx's. */
const CLIENT = "127.0.0.7";
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

type AuditEvents = { events: { action: string; actorIp: string | null }[] };

let nginx: NginxFront;
let warren: WarrenHandle;
let sshd: SshdHandle;
let echo: Tracker;
let laptop: LaptopClient;
let token: string;
let connected: Connected | undefined;
let socket: Socket | undefined;

/** An API call with the admin's token, from the client's machine, through nginx: a GET, or a POST of `body`. */
async function api<T>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const answer = await httpFrom(`${nginx.url}/api/v1${path}`, {
    method: body === undefined ? "GET" : "POST",
    from: CLIENT,
    ca: nginx.ca,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, body: JSON.parse(answer.body) as T };
}

const signInIps = async () => (await api<AuditEvents>("/audit?action=auth.sign_in")).body.events.map((event) => event.actorIp);

beforeAll(async () => {
  // nginx needs Warren's port and Warren its public URL: the port is chosen first, Warren started behind nginx.
  const warrenPort = await freePort();
  nginx = await startNginxFront(warrenPort);
  [sshd, echo, warren] = await Promise.all([
    startSshd(),
    startTarget(),
    startWarren({
      port: warrenPort,
      env: { WARREN_PUBLIC_URL: nginx.url, WARREN_TRUSTED_PROXIES: "127.0.0.1/32", WARREN_TRUSTED_PROXY_HEADER: "x-forwarded-for" },
    }),
  ]);
  await warren.createUser({ email: ADMIN, password, admin: true });
  token = await warren.createToken(ADMIN);
  // Straight from Warren: fetch cannot be told to trust a CA made while the tests run.
  laptop = await downloadClient(warren.url);
});

afterAll(async () => {
  socket?.close();
  connected?.child.kill();
  laptop?.dispose();
  await Promise.all([warren?.dispose(), sshd?.dispose(), echo?.close()]);
  await nginx?.close();
});

describe("behind the repo's nginx.conf", () => {
  it("redirects plain http to https (301)", async () => {
    const answer = await httpFrom(`${nginx.httpUrl}/tunnels?view=mine`, { from: CLIENT });
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe("https://localhost/tunnels?view=mine");
  });

  it("serves Warren's pages over HTTP/2, as browsers ask for them", async () => {
    const client = http2.connect(nginx.url, { ca: nginx.ca });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      client.once("error", reject);
      const request = client.request({ ":path": "/login" });
      request.once("response", (headers) => resolve(headers[":status"]));
      request.once("error", reject);
      request.resume();
    }).finally(() => client.close());
    expect(status).toBe(200);
  });

  it("signs in over https: the session cookie is __Host- and Secure, and works for the API", async () => {
    const signedIn = await signInAttempt(nginx.url, ADMIN, password, { from: CLIENT, ca: nginx.ca });
    expect(signedIn.error).toBeNull();
    const cookie = signedIn.setCookies.find((c) => c.startsWith("__Host-next-auth.session-token="));
    expect(cookie, signedIn.setCookies.join("\n")).toBeDefined();
    expect(cookie!.split(";").map((part) => part.trim().toLowerCase())).toEqual(expect.arrayContaining(["secure", "httponly", "path=/"]));
    const me = await httpFrom(`${nginx.url}/api/v1/me`, { from: CLIENT, ca: nginx.ca, headers: { cookie: signedIn.session! } });
    expect(me.status, me.body).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ user: { email: ADMIN } });
  });

  it("records the sign-in's address as nginx saw it, not the X-Forwarded-For a client sends", async () => {
    // The sign-in above, from the client's machine.
    expect(await signInIps()).toEqual([CLIENT]);
    // nginx sets the header to the address the connection came from, whatever the client wrote in it.
    const forged = await signInAttempt(nginx.url, ADMIN, password, { from: "127.0.0.8", ca: nginx.ca, headers: { "x-forwarded-for": "6.6.6.6" } });
    expect(forged.error).toBeNull();
    expect(await signInIps()).toEqual(["127.0.0.8", CLIENT]);
  });

  it("carries the live socket and `warren connect` over wss://, and the tunnel's record names the client", async () => {
    const me = await api<{ user: { email: string } }>("/me");
    expect(me).toMatchObject({ status: 200, body: { user: { email: ADMIN } } });
    const { session } = await signInAttempt(nginx.url, ADMIN, password, { from: CLIENT, ca: nginx.ca });
    // The dashboard's socket: the session cookie, Warren's own Origin, WebSocket only (no polling fallback to hide a broken upgrade).
    socket = io(nginx.url, { transports: ["websocket"], extraHeaders: { cookie: session!, origin: nginx.url }, ca: nginx.ca.toString(), reconnection: false });
    const heard: { event: string; tunnelId?: string }[] = [];
    socket.onAny((event: string, payload: unknown) => heard.push(...eachEvent(event, payload).map((one) => ({ event, tunnelId: one.tunnelId }))));
    await new Promise<void>((resolve, reject) => {
      socket!.once("connect", resolve);
      socket!.once("connect_error", reject);
    });

    const host = await api<{ id: string }>("/hosts", { name: "db-gw", ...hostInput(sshd) });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    const tunnel = await api<{ id: string }>("/tunnels", {
      kind: "local",
      hostId: host.body.id,
      listen: { port: await freePortInRange() },
      target: { host: "127.0.0.1", port: echo.port },
    });
    expect(tunnel.status, JSON.stringify(tunnel.body)).toBe(201);
    connected = await startConnect(laptop, { tunnelId: tunnel.body.id, url: nginx.url, token, extra: ["--ca", nginx.caFile] });
    const sent = randomBytes(256 * 1024);
    const answer = await exchange(connected.port, sent);
    expect(answer.error, connected.output() + (await nginx.errors())).toBeUndefined();
    expect(sha(answer.received)).toBe(sha(sent));

    await waitFor(
      async () => heard,
      (events) => events.some((e) => e.event === "tunnel:stats" && e.tunnelId === tunnel.body.id),
      20_000,
      "the tunnel's live counters on the socket",
    );
    const records = (await api<AuditEvents>(`/audit?tunnelId=${tunnel.body.id}`)).body.events;
    expect(records.find((e) => e.action === "tunnel.requested")?.actorIp, JSON.stringify(records)).toBe(CLIENT);
  });
});
