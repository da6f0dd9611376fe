// Web tunnels end to end with real parts: an internal web app behind a real
// sshd, Warren with WARREN_APPS_DOMAIN, and HTTP as a browser speaks it
// (Host headers, cookies, redirects, server-sent events). The sign-in handoff refuses replayed,
// expired, cross-app and other-browser codes; a forged Host is refused; the
// app gets a verifiable identity and none of Warren's cookies; HTTPS apps
// with a self-signed certificate work only with insecureTls; closing the
// tunnel ends its WebSockets; sessions are audited, requests logged.
import { createHash } from "node:crypto";
import http from "node:http";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { appBrowser, cookieOf } from "@/tests/harness/app-browser";
import { waitFor } from "@/tests/harness/free-port";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { signInCookie } from "@/tests/harness/sign-in";
import { startSshd, type SshdHandle, hostInput } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";
import { startWebApp, type WebApp } from "@/tests/harness/web-app";

const password = "correct horse battery";
const DOMAIN = "apps.localhost";

let sshd: SshdHandle;
let warren: WarrenHandle;
let app: WebApp;
let owner: ApiClient;
let hostId: string;
const sessions: Record<string, string> = {};

const { send, handoff, openApp: openAppAs } = appBrowser(() => warren.port);
const openApp = (appUrl: string, warrenSession = sessions.owner!) => openAppAs(appUrl, warrenSession);

async function openWebTunnel(name: string, web: Record<string, unknown>, port = app.port): Promise<{ id: string; webUrl: string }> {
  const response = await owner.post<{ id: string; webUrl: string; web: unknown }>("/tunnels", {
    hostId,
    kind: "local",
    name,
    target: { host: "127.0.0.1", port },
    web,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  // The address ends with a slash, as a browser shows it; the tests add paths to its origin.
  expect(response.body.webUrl).toMatch(/\/$/);
  return { ...response.body, webUrl: response.body.webUrl.slice(0, -1) };
}

beforeAll(async () => {
  [sshd, app] = await Promise.all([startSshd(), startWebApp()]);
  warren = await startWarren({ env: { WARREN_APPS_DOMAIN: DOMAIN } });
  for (const who of ["owner", "stranger", "member"]) {
    await warren.createUser({ email: `${who}@example.com`, password, admin: who === "owner" });
    sessions[who] = await signInCookie(warren.url, `${who}@example.com`, password);
  }
  owner = apiClient(warren.url, await warren.createToken("owner@example.com"));
  const host = await owner.post<{ id: string }>("/hosts", {
    name: "intranet",
    ...hostInput(sshd),
  });
  hostId = host.body.id;
});

afterAll(async () => {
  await Promise.all([warren?.dispose(), sshd?.dispose(), app?.close()]);
});

/** A WebSocket to the app's echo, open: resolves once it echoed. */
async function echoSocket(appUrl: string, cookie: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${warren.port}/echo`, { headers: { host: new URL(appUrl).host, cookie } });
  const echoed = await new Promise<string>((resolve, reject) => {
    ws.once("open", () => ws.send("hello"));
    ws.once("message", (data) => resolve(data.toString()));
    ws.once("error", reject);
  });
  expect(echoed).toBe("echo: hello");
  return ws;
}

const closeOf = (ws: WebSocket) => new Promise<void>((resolve) => ws.once("close", () => resolve()));

describe("a web tunnel", () => {
  it("has an address of its own, and serves the app through the tunnel to a signed-in owner", async () => {
    const tunnel = await openWebTunnel("wiki", { scheme: "http" });
    expect(tunnel.webUrl).toBe(`http://wiki.${DOMAIN}:${warren.port}`);
    expect((await owner.get<{ webUrl: string }>(`/tunnels/${tunnel.id}`)).body.webUrl).toBe(`${tunnel.webUrl}/`);
    const cookie = await openApp(tunnel.webUrl);

    const page = await send(`${tunnel.webUrl}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain("Internal app");
    // The app's cookie for its own domain becomes the app host's own.
    expect(page.headers["set-cookie"]).toEqual(["app-own=kept; Path=/"]);

    const body = Buffer.alloc(1024 * 1024, "warren ");
    const posted = await send(`${tunnel.webUrl}/submit`, { method: "POST", headers: { cookie, "content-type": "text/plain" }, body });
    expect(posted.body).toContain(`received ${body.length} bytes, sha256 ${createHash("sha256").update(body).digest("hex")}`);

    const redirected = await send(`${tunnel.webUrl}/redirect`, { headers: { cookie } });
    expect(redirected.headers.location).toBe(`${tunnel.webUrl}/landed?from=redirect`);

    // Server-sent events arrive as they are sent: the first before the app sends the second.
    const stream = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get({ host: "127.0.0.1", port: warren.port, path: "/events", headers: { host: new URL(tunnel.webUrl).host, cookie } }, resolve).on("error", reject),
    );
    expect(stream.headers["content-type"]).toBe("text/event-stream");
    const first = await new Promise<string>((resolve) => stream.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    expect(first).toBe("data: first\n\n");
    let rest = "";
    stream.on("data", (chunk: Buffer) => (rest += chunk.toString()));
    const ended = new Promise<void>((resolve) => stream.once("end", () => resolve()));
    await send(`${tunnel.webUrl}/events/next`, { headers: { cookie } });
    await ended;
    expect(rest).toBe("data: second\n\n");
  });

  it("sends the app who is calling, signed, and none of Warren's cookies or forged headers", async () => {
    const tunnel = await openWebTunnel("whoami", { scheme: "http", hostHeader: "intranet.example" });
    const cookie = await openApp(tunnel.webUrl);
    const forged = { "x-warren-jwt": "forged", "x-forwarded-for": "6.6.6.6", "x-warren-client-ip": "6.6.6.6", origin: tunnel.webUrl };
    const answer = await send(`${tunnel.webUrl}/headers`, { headers: { ...forged, cookie: `${cookie}; ${sessions.owner}; mine=1` } });
    const headers = JSON.parse(answer.body) as Record<string, string>;
    expect(headers.cookie).toBe("mine=1");
    expect(headers.host).toBe("intranet.example");
    expect(headers.origin).toBe("http://intranet.example");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-forwarded-host"]).toBe(`whoami.${DOMAIN}:${warren.port}`);
    expect(headers["x-warren-client-ip"]).toBeUndefined();
    const jwks = await (await fetch(`${warren.url}/.well-known/jwks.json`)).json();
    const { payload } = await jwtVerify(headers["x-warren-jwt"]!, createLocalJWKSet(jwks), { issuer: warren.url, audience: tunnel.webUrl });
    expect(payload).toMatchObject({ email: "owner@example.com", tunnel: tunnel.id });
  });

  it("refuses replayed, expired, cross-app and other-browser codes", async () => {
    const one = await openWebTunnel("one", { scheme: "http" });
    const two = await openWebTunnel("two", { scheme: "http" });

    const used = await handoff(one.webUrl, sessions.owner!);
    expect((await send(used.launch.headers.location!, { headers: { cookie: used.state } })).status).toBe(303);
    const replayed = await send(used.launch.headers.location!, { headers: { cookie: used.state } });
    expect([replayed.status, replayed.body]).toEqual([400, expect.stringContaining("already used")]);

    // A code for app one, presented at app two with app two's own state.
    const forOne = await handoff(one.webUrl, sessions.owner!);
    const atTwo = await handoff(two.webUrl, sessions.owner!);
    const crossed = new URL(forOne.launch.headers.location!);
    const state = new URL(atTwo.launch.headers.location!).searchParams.get("state")!;
    crossed.searchParams.set("state", state);
    const crossedAnswer = await send(`${two.webUrl}${crossed.pathname}${crossed.search}`, { headers: { cookie: atTwo.state } });
    expect([crossedAnswer.status, crossedAnswer.body]).toEqual([400, expect.stringContaining("another app")]);

    // Another browser (its own state cookie) cannot use a code sent to this one; the code is spent even so.
    const stolen = await handoff(one.webUrl, sessions.owner!);
    const thief = await send(`${one.webUrl}/`);
    const otherBrowser = await send(stolen.launch.headers.location!, { headers: { cookie: cookieOf(thief, "warren-app-state")! } });
    expect(otherBrowser.status).toBe(400);
    expect((await send(stolen.launch.headers.location!, { headers: { cookie: stolen.state } })).body).toContain("already used");

    // A code past its minute.
    const late = await handoff(one.webUrl, sessions.owner!);
    const code = new URL(late.launch.headers.location!).searchParams.get("code")!;
    const db = await openRawDatabase(warren);
    await db.run(
      `UPDATE "AppHandoff" SET "expiresAt" = ? WHERE "codeHash" = ?`,
      new Date(Date.now() - 1000),
      createHash("sha256").update(code).digest("base64url"),
    );
    await db.close();
    const expired = await send(late.launch.headers.location!, { headers: { cookie: late.state } });
    expect([expired.status, expired.body]).toEqual([400, expect.stringContaining("expired")]);
  });

  it("refuses a Host under the apps domain that is no app's, and never serves Warren there", async () => {
    await openWebTunnel("real", { scheme: "http" });
    for (const host of [
      `nothing.${DOMAIN}:${warren.port}`,
      `a.real.${DOMAIN}:${warren.port}`,
      `${DOMAIN}:${warren.port}`,
      `real.${DOMAIN}:1`,
      `real.${DOMAIN}`,
    ]) {
      const answer = await send(`http://${host}/api/v1/health`);
      expect([host, answer.status]).toEqual([host, 404]);
      expect(answer.body).toContain("No such app");
    }
    // Warren's own host with a forwarded host naming an app is Warren, not the app.
    const own = await send(`${warren.url}/api/v1/health`, { headers: { "x-forwarded-host": `real.${DOMAIN}:${warren.port}` } });
    expect(own.body).toBe('{"status":"ok"}');
  });

  it("shows the 403 page to a signed-in person who may not use it, and never reaches the app", async () => {
    const tunnel = await openWebTunnel("private", { scheme: "http" });
    const seen = app.seen.length;
    const { launch } = await handoff(tunnel.webUrl, sessions.stranger!);
    expect(launch.status).toBe(403);
    expect(launch.body).toContain("You cannot open this app");
    expect(app.seen.length).toBe(seen);
  });

  it("serves an https app with a self-signed certificate only when told not to check it", async () => {
    const secure = await startWebApp({ tls: true });
    try {
      const checked = await openWebTunnel("checked", { scheme: "https" }, secure.port);
      const refused = await send(`${checked.webUrl}/`, { headers: { cookie: await openApp(checked.webUrl) } });
      expect([refused.status, refused.body]).toEqual([502, expect.stringContaining("not trusted")]);
      const unchecked = await openWebTunnel("unchecked", { scheme: "https", insecureTls: true }, secure.port);
      const served = await send(`${unchecked.webUrl}/`, { headers: { cookie: await openApp(unchecked.webUrl) } });
      expect(served.body).toContain("Internal app");
    } finally {
      await secure.close();
    }
  });

  it("closing the tunnel ends its WebSockets and its pages; the session is audited and its requests logged", async () => {
    const tunnel = await openWebTunnel("live", { scheme: "http" });
    const cookie = await openApp(tunnel.webUrl);
    const ws = await echoSocket(tunnel.webUrl, cookie);
    const closed = closeOf(ws);
    expect((await owner.delete(`/tunnels/${tunnel.id}`)).status).toBe(200);
    await closed;
    const after = await send(`${tunnel.webUrl}/`, { headers: { cookie } });
    expect(after.status).toBe(410);

    type Log = { sessions: { email: string; endedAt: string | null; requests: number }[]; requests: { method: string; path: string; status: number }[] };
    const log = await waitFor(
      async () => (await owner.get<Log>(`/tunnels/${tunnel.id}/access-log`)).body,
      (body) => body.sessions[0]?.endedAt !== null && body.requests.some((line) => line.status === 101),
      20_000,
      "the session ended and its WebSocket logged",
    );
    expect(log.requests[0]).toMatchObject({ method: "GET", path: "/echo", status: 101 });
    type Audit = { events: { action: string; details: Record<string, unknown> }[] };
    const events = (await owner.get<Audit>(`/audit?tunnelId=${tunnel.id}`)).body.events;
    expect(events.map((event) => event.action)).toEqual(expect.arrayContaining(["app.session_started", "app.session_ended"]));
    expect(events.find((event) => event.action === "app.session_ended")!.details).toMatchObject({ app: tunnel.webUrl, requests: 1 });
  });

  it("is for the members of its team who joined it too, and ends at once, WebSockets included, for one who is disabled", async () => {
    const teamId = (await owner.post<{ id: string }>("/teams", { name: "wiki-readers", ownerEmail: "owner@example.com" })).body.id;
    const users = (await owner.get<{ users: { id: string; email: string }[] }>("/users")).body.users;
    const memberId = users.find((user) => user.email === "member@example.com")!.id;
    expect((await owner.post(`/teams/${teamId}/members`, { email: "member@example.com" })).status).toBeLessThan(300);
    const response = await owner.post<{ id: string; webUrl: string }>("/tunnels", {
      hostId,
      kind: "local",
      name: "team-wiki",
      target: { host: "127.0.0.1", port: app.port },
      web: { scheme: "http" },
      teamId,
    });
    const tunnel = { id: response.body.id, webUrl: new URL(response.body.webUrl).origin };
    const notYet = await handoff(tunnel.webUrl, sessions.member!);
    expect([notYet.launch.status, notYet.launch.body]).toEqual([403, expect.stringContaining("you have not joined it")]);

    const member = apiClient(warren.url, await warren.createToken("member@example.com"));
    expect((await member.post(`/tunnels/${tunnel.id}/join`)).status).toBe(200);
    const ws = await echoSocket(tunnel.webUrl, await openApp(tunnel.webUrl, sessions.member!));
    const closed = closeOf(ws);
    expect((await owner.patch(`/users/${memberId}`, { disabled: true })).status).toBe(200);
    await closed;
  });

  it("keeps a browser's session across a restart of Warren", async () => {
    const tunnel = await openWebTunnel("steady", { scheme: "http" });
    const cookie = await openApp(tunnel.webUrl);
    expect((await warren.stop()).code).toBe(0);
    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port, env: { WARREN_APPS_DOMAIN: DOMAIN } });
    // Its row still says "active" from before the restart until the engine reopens it: wait for the app itself.
    const page = await waitFor(
      () => send(`${tunnel.webUrl}/`, { headers: { cookie } }),
      (answer) => answer.status !== 503,
      30_000,
      "the tunnel open again",
    );
    expect([page.status, page.body]).toEqual([200, expect.stringContaining("Internal app")]);
  });
});
