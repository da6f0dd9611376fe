// A web tunnel's app, served at its app host: requests and WebSocket
// upgrades whose Host names an app are answered here, before Next and
// socket.io see them (register-apps.ts). A browser without the app host's
// cookie is sent to Warren to sign in (/apps/launch) and comes back with a
// one-time code (/.warren/auth). With it, each request goes through
// http-proxy-3 to the app, over the tunnel's SSH link: the proxy's HTTP
// client reads and writes data-plane streams (tunnel-stream.ts), one agent
// per browser session.
import { type Agent as HttpAgent, Agent, type ClientRequestArgs, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { parse as parseCookies, serialize as serializeCookie } from "cookie";
import { createProxyServer } from "http-proxy-3";
import { SignJWT } from "jose";
import { appOrigin } from "@/lib/apps/app-address";
import { randomToken, redeemHandoff } from "@/lib/apps/app-handoff";
import { type AppPage, appPageResponse } from "@/lib/apps/app-page";
import { currentSigningKey, SIGNING_ALG } from "@/lib/apps/signing-keys";
import { webTunnelAt } from "@/lib/apps/web-tunnel-at";
import { CLIENT_IP_HEADER, clientInfo } from "@/lib/auth/client-info";
import { getConfig } from "@/lib/config";
import { accessRefusals, refusalOf } from "@/lib/tunnels/access-refusals";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import { appAuthSchema } from "@/lib/validation/apps";
import { APP_SESSION_MAX_MS, type AppSession, type AppSessions } from "@/server/apps/app-sessions";
import { TunnelStream } from "@/server/apps/tunnel-stream";
import { type Carrier, carrierElsewhere, NodeRelay, wasRelayed } from "@/server/nodes/node-relay";
import type { TunnelEngine } from "@/server/tunnels/tunnel-engine";

const AUTH_PATH = "/.warren/auth";
const STATE_MAX_AGE_S = 10 * 60;
const ASSERTION_S = 5 * 60;

/** A web tunnel as its app host needs it. */
type WebTunnel = { id: string; hostId: string; app: string; target: URL; sentHost: string; insecureTls: boolean };
/** A web tunnel another node carries: its requests are relayed there. */
type Elsewhere = { tunnelId: string; carrier: Carrier };

/** How long a web tunnel's lookup by its app host is reused: its close ends its sessions' connections at once anyway. */
const LOOKUP_MS = 1_000;

/** Warren's cookies, on its own host or this one: the app never receives them. */
function cookieNames() {
  const secure = getConfig().publicUrl.startsWith("https://");
  return { session: secure ? "__Host-warren-app" : "warren-app", state: secure ? "__Host-warren-app-state" : "warren-app-state", secure };
}
const isWarrensCookie = (name: string) => /^(__(Host|Secure)-)?(warren-app(-state)?|next-auth\.)/.test(name);

const cookie = (name: string, value: string, maxAge: number) =>
  serializeCookie(name, value, { httpOnly: true, secure: cookieNames().secure, sameSite: "lax", path: "/", maxAge });

function answer(res: ServerResponse, page: AppPage, headers: Record<string, string | string[]> = {}) {
  const { status, headers: pageHeaders, body } = appPageResponse(page);
  res.writeHead(status, { ...pageHeaders, ...headers });
  res.end(body);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}) {
  res.writeHead(303, { location, "cache-control": "no-store", ...headers });
  res.end();
}

/** What the app is sent as Host: the owner's choice, or its target's host and port (as a browser next to it would send). */
function sentHostOf(row: { targetHost: string | null; targetPort: number | null; webScheme: string | null; webHostHeader: string | null }) {
  if (row.webHostHeader) return row.webHostHeader;
  const host = row.targetHost!.includes(":") ? `[${row.targetHost}]` : row.targetHost!;
  const defaultPort = row.webScheme === "https" ? 443 : 80;
  return row.targetPort === defaultPort ? host : `${host}:${row.targetPort}`;
}

/** Each session's own connections through the tunnel; over TLS for an https app, checked unless its owner said not to. */
function sessionAgent(tunnel: WebTunnel, dial: () => Duplex): HttpAgent {
  const options = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4 };
  if (tunnel.target.protocol === "http:") {
    return new (class extends Agent {
      override createConnection() {
        return dial();
      }
    })(options);
  }
  return new (class extends HttpsAgent {
    override createConnection(connection: ClientRequestArgs) {
      return tls.connect({ ...(connection as tls.ConnectionOptions), socket: dial(), rejectUnauthorized: !tunnel.insecureTls });
    }
  })(options);
}

/** A failure to reach the app, as its owner would want to read it. */
function unreachable(error: Error & { code?: string }): string {
  if (error.code === "DEPTH_ZERO_SELF_SIGNED_CERT" || error.code === "SELF_SIGNED_CERT_IN_CHAIN" || error.code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE") {
    return `the app's certificate is not trusted (${error.message}): its tunnel's owner can open it with "Do not check the certificate" (insecureTls) if that is expected`;
  }
  if (error.code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the app's certificate does not name it (${error.message})`;
  return error.message;
}

/** A relayed request for a tunnel its carrier no longer holds: it is between nodes. */
const moving = ({ tunnelId }: Elsewhere): AppPage => ({
  status: 503,
  title: "This app's tunnel is moving",
  message: `Tunnel ${tunnelId} is moving between Warren nodes: try again in a moment.`,
});

export class AppProxy {
  private readonly proxy = createProxyServer({ xfwd: false, ws: true });
  /** Each proxied request's tunnel, and who wants its answer. */
  private readonly proxied = new WeakMap<IncomingMessage, { tunnel: WebTunnel; answered(proxyRes: IncomingMessage): void }>();
  private readonly lookups = new Map<string, { tunnel: Promise<WebTunnel | Elsewhere | AppPage>; id?: string; until: number }>();
  private readonly relay = new NodeRelay();

  constructor(
    private readonly engine: TunnelEngine,
    private readonly sessions: AppSessions,
  ) {
    this.proxy.on("proxyRes", (proxyRes, req) => {
      const proxied = this.proxied.get(req);
      if (!proxied) return;
      this.rewriteResponse(proxyRes, proxied.tunnel);
      proxied.answered(proxyRes);
    });
    this.proxy.on("error", (error, _req, res) => {
      if ("writeHead" in res) {
        if (!res.headersSent) answer(res, { status: 502, title: "The app did not answer", message: unreachable(error) });
        else res.destroy();
      } else res.destroy();
    });
  }

  async web(req: IncomingMessage, res: ServerResponse, slug: string) {
    const tunnel = await this.tunnelAt(slug);
    if ("carrier" in tunnel) {
      if (wasRelayed(req)) return answer(res, moving(tunnel));
      return this.relay.web(req, res, tunnel.carrier, (message) => answer(res, { status: 502, title: "The app's Warren node did not answer", message }));
    }
    if (!("app" in tunnel)) return answer(res, tunnel);
    const url = new URL(req.url ?? "/", tunnel.app);
    if (url.pathname === AUTH_PATH) return this.redeem(req, res, tunnel, url);
    const session = await this.sessions.find(parseCookies(req.headers.cookie ?? "")[cookieNames().session], tunnel.id);
    if (!session) return this.signIn(res, slug, url);
    await this.prepare(req, tunnel, session);
    const started = Date.now();
    let bytesOut = 0;
    let bytesIn = 0;
    req.on("data", (chunk: Buffer) => (bytesOut += chunk.length));
    this.proxied.set(req, { tunnel, answered: (proxyRes) => proxyRes.on("data", (chunk: Buffer) => (bytesIn += chunk.length)) });
    res.once("close", () => {
      const status = res.headersSent ? res.statusCode : 502;
      this.sessions.record(session, {
        method: req.method ?? "GET",
        path: url.pathname.slice(0, 512),
        status,
        bytesIn,
        bytesOut,
        ms: Date.now() - started,
        at: new Date(started),
      });
    });
    this.proxy.web(req, res, { target: tunnel.target, agent: this.agentFor(tunnel, session) });
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, slug: string) {
    const tunnel = await this.tunnelAt(slug);
    if ("carrier" in tunnel && !wasRelayed(req)) {
      return this.relay.upgrade(req, socket, head, tunnel.carrier, () =>
        socket.end("HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"),
      );
    }
    const token = parseCookies(req.headers.cookie ?? "")[cookieNames().session];
    const session = "app" in tunnel ? await this.sessions.find(token, tunnel.id) : undefined;
    if (!("app" in tunnel) || !session) {
      socket.end("HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    await this.prepare(req, tunnel, session);
    const started = Date.now();
    let bytesIn = 0;
    let bytesOut = 0;
    socket.on("data", (chunk: Buffer) => (bytesOut += chunk.length));
    const write = socket.write.bind(socket);
    socket.write = ((chunk: Buffer | string, ...rest: never[]) => {
      bytesIn += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
      return write(chunk, ...rest);
    }) as typeof socket.write;
    let recorded = false;
    const recordIt = () => {
      if (recorded) return;
      recorded = true;
      session.sockets.delete(socket);
      const path = new URL(req.url ?? "/", tunnel.app).pathname.slice(0, 512);
      this.sessions.record(session, { method: "GET", path, status: 101, bytesIn, bytesOut, ms: Date.now() - started, at: new Date(started) });
    };
    session.sockets.set(socket, recordIt);
    socket.once("close", recordIt);
    this.proxied.set(req, { tunnel, answered: () => {} });
    this.proxy.ws(req, socket, head, { target: tunnel.target, agent: this.agentFor(tunnel, session) });
  }

  /** The open web tunnel at this app host, or the page that says why there is none. */
  private tunnelAt(slug: string): Promise<WebTunnel | Elsewhere | AppPage> {
    const now = Date.now();
    const cached = this.lookups.get(slug);
    // A tunnel that closed meanwhile is looked up again at once, to say so.
    if (cached && cached.until > now && (!cached.id || this.engine.live(cached.id))) return cached.tunnel;
    for (const [key, { until }] of this.lookups) if (until <= now) this.lookups.delete(key);
    const entry: { tunnel: Promise<WebTunnel | Elsewhere | AppPage>; id?: string; until: number } = { tunnel: this.lookUp(slug), until: now + LOOKUP_MS };
    void entry.tunnel.then((found) => {
      if ("id" in found) entry.id = found.id;
    });
    this.lookups.set(slug, entry);
    return entry.tunnel;
  }

  private async lookUp(slug: string): Promise<WebTunnel | Elsewhere | AppPage> {
    const row = await webTunnelAt(slug);
    const app = appOrigin(slug, getConfig())!;
    const back = { href: `${getConfig().publicUrl}/tunnels`, label: "Back to Warren" };
    if (!row?.webScheme) return { status: 404, title: "No such app", message: `No web tunnel has the address ${app}.`, action: back };
    if (!OPEN_STATUSES.includes(row.status)) {
      const why = row.statusReason ? ` (${row.statusReason})` : "";
      return { status: 410, title: "This app's tunnel is not open", message: `Tunnel ${row.id} is ${row.status.replace("_", " ")}${why}.`, action: back };
    }
    if (!this.engine.live(row.id)) {
      const carrier = await carrierElsewhere(row.id);
      if (carrier) return { tunnelId: row.id, carrier };
      return {
        status: 503,
        title: "This app's tunnel is starting",
        message: `Tunnel ${row.id} is being opened on Warren: try again in a moment.`,
        action: back,
      };
    }
    const sentHost = sentHostOf(row);
    const target = new URL(`${row.webScheme}://${row.targetHost!.includes(":") ? `[${row.targetHost}]` : row.targetHost}:${row.targetPort}`);
    return { id: row.id, hostId: row.hostId, app, target, sentHost, insecureTls: row.webInsecureTls };
  }

  /** No session here yet: a state cookie for this browser, and off to Warren to sign in. */
  private signIn(res: ServerResponse, slug: string, url: URL) {
    const state = randomToken();
    const launch = new URL("/apps/launch", getConfig().publicUrl);
    launch.searchParams.set("app", slug);
    launch.searchParams.set("state", state);
    launch.searchParams.set("path", `${url.pathname}${url.search}`);
    redirect(res, launch.href, { "set-cookie": cookie(cookieNames().state, state, STATE_MAX_AGE_S) });
  }

  /** /.warren/auth: the code from Warren, spent once, for this app and this browser's state only. */
  private async redeem(req: IncomingMessage, res: ServerResponse, tunnel: WebTunnel, url: URL) {
    const names = cookieNames();
    const clearState = cookie(names.state, "", 0);
    const again = { href: tunnel.app, label: "Open the app again" };
    const parsed = appAuthSchema.safeParse(Object.fromEntries(url.searchParams));
    const state = parseCookies(req.headers.cookie ?? "")[names.state];
    if (!parsed.success || !state || state !== parsed.data.state) {
      // Spend the code anyway: a code that reached the wrong browser must not work in the right one later.
      if (parsed.success) await redeemHandoff({ ...parsed.data, tunnelId: tunnel.id });
      return answer(
        res,
        { status: 400, title: "This sign-in link does not belong to this browser", message: "Open the app again from Warren.", action: again },
        { "set-cookie": clearState },
      );
    }
    const redeemed = await redeemHandoff({ ...parsed.data, tunnelId: tunnel.id });
    if ("refused" in redeemed)
      return answer(
        res,
        { status: 400, title: "This sign-in link does not work", message: `${redeemed.refused}.`, action: again },
        { "set-cookie": clearState },
      );
    const pair = { tunnelId: tunnel.id, userId: redeemed.userId, purpose: "web" as const };
    const refusal = refusalOf(await accessRefusals([pair]), pair);
    if (refusal) return answer(res, { status: 403, title: "You cannot open this app", message: `${refusal.message}.` }, { "set-cookie": clearState });
    const { ip, userAgent } = clientInfo(req.headers);
    const token = await this.sessions.start({
      tunnelId: tunnel.id,
      hostId: tunnel.hostId,
      app: tunnel.app,
      userId: redeemed.userId,
      address: ip ?? "unknown",
      userAgent: userAgent ?? null,
    });
    redirect(res, new URL(redeemed.returnPath, tunnel.app).href, { "set-cookie": [clearState, cookie(names.session, token, APP_SESSION_MAX_MS / 1000)] });
  }

  /** The request as the app gets it: none of Warren's cookies or headers a client could forge; who is calling, signed. */
  private async prepare(req: IncomingMessage, tunnel: WebTunnel, session: AppSession) {
    const headers = req.headers;
    const kept = Object.entries(parseCookies(headers.cookie ?? "")).filter(([name]) => !isWarrensCookie(name));
    if (kept.length > 0) headers.cookie = kept.map(([name, value]) => `${name}=${value ?? ""}`).join("; ");
    else delete headers.cookie;
    for (const name of [
      "x-warren-jwt",
      "forwarded",
      "x-forwarded-for",
      "x-forwarded-proto",
      "x-forwarded-host",
      "x-forwarded-port",
      "x-real-ip",
      CLIENT_IP_HEADER,
    ]) {
      delete headers[name];
    }
    const appHost = new URL(tunnel.app).host;
    const sentOrigin = `${tunnel.target.protocol}//${tunnel.sentHost}`;
    headers["x-forwarded-for"] = session.address;
    headers["x-forwarded-proto"] = new URL(tunnel.app).protocol.slice(0, -1);
    headers["x-forwarded-host"] = appHost;
    headers.host = tunnel.sentHost;
    if (headers.origin === tunnel.app) headers.origin = sentOrigin;
    if (headers.referer?.startsWith(`${tunnel.app}/`)) headers.referer = sentOrigin + headers.referer.slice(tunnel.app.length);
    headers["x-warren-jwt"] = await this.assertion(session);
  }

  /** The app's answer as the browser gets it: redirects to the app's own address land on the app host; its cookies are this host's only. */
  private rewriteResponse(proxyRes: IncomingMessage, tunnel: WebTunnel) {
    const location = proxyRes.headers.location;
    if (location && URL.canParse(location)) {
      // A relative Location stays as it is: it is on the app host already.
      const url = new URL(location);
      if (url.host === tunnel.sentHost || url.host === tunnel.target.host) proxyRes.headers.location = `${tunnel.app}${url.pathname}${url.search}${url.hash}`;
    }
    const cookies = proxyRes.headers["set-cookie"];
    if (cookies) {
      proxyRes.headers["set-cookie"] = cookies
        .filter((line) => !isWarrensCookie(line.split("=", 1)[0]!.trim()))
        .map((line) => line.replace(/;\s*domain=[^;]*/gi, ""));
    }
  }

  private agentFor(tunnel: WebTunnel, session: AppSession): HttpAgent {
    session.agent ??= sessionAgent(
      tunnel,
      () =>
        new TunnelStream(
          (peer) => this.engine.relay(tunnel.id, { source: session.address, via: { userId: session.userId, email: session.email, by: "web" } }, peer),
          `tunnel ${tunnel.id} is not open on Warren`,
        ),
    );
    return session.agent;
  }

  /** Who is calling, for the app: a short-lived ES256 JWT it can verify with Warren's /.well-known/jwks.json. */
  private async assertion(session: AppSession): Promise<string> {
    const now = Date.now();
    if (session.assertion && session.assertion.renewAt > now) return session.assertion.token;
    const key = await currentSigningKey();
    const token = await new SignJWT({ email: session.email, name: session.name, tunnel: session.tunnelId, sid: session.id })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: "JWT" })
      .setIssuer(getConfig().publicUrl)
      .setAudience(session.app)
      .setSubject(session.userId)
      .setIssuedAt()
      .setExpirationTime(`${ASSERTION_S}s`)
      .sign(key.privateKey);
    session.assertion = { token, renewAt: now + (ASSERTION_S - 60) * 1000 };
    return token;
  }
}
