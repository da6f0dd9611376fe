// `warren connect`'s endpoint: WebSockets at /api/v1/tunnels/:id/connect on
// Warren's own HTTP server, beside socket.io (which keeps its own upgrades).
// Each upgrade is authorised before it is accepted: a bearer token (never in
// the URL, never a cookie: no browser page can open one with a visitor's
// session), then lib/tunnels/access-refusals.ts. A refusal is an HTTP status with the
// API's JSON error, which the client prints. Live connections are checked
// again every few seconds and at once when Warren itself ends access
// (lib/tunnels/recheck-live-access.ts): a revoked token, a disabled user, a
// participant removed, a tunnel closed or expired end them, with the reason.
// A tunnel another node carries is relayed there (server/nodes/node-relay.ts).
import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { getPrisma } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/api-error";
import { userFromApiToken } from "@/lib/auth/api-tokens";
import { presentedToken } from "@/lib/auth/authenticate";
import { clientInfo } from "@/lib/auth/client-info";
import { getConfig } from "@/lib/config";
import { MAX_PAYLOAD_BYTES, TUNNEL_SOCKET_PATH } from "@/lib/connect/connect-frames";
import { onAccessRecheck } from "@/lib/tunnels/recheck-live-access";
import { accessRefusals, refusalOf, type SocketPurpose } from "@/lib/tunnels/access-refusals";
import { type ConnectGrant, ConnectSession } from "@/server/connect/connect-session";
import type { Feature } from "@/server/feature";
import { type Carrier, carrierElsewhere, NodeRelay, wasRelayed } from "@/server/nodes/node-relay";
import type { TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { log, REQUEST_ID_HEADER } from "@/lib/log";

/** How often every live connection's token and access are checked again. */
const RECHECK_MS = 2_000;
const TOKEN_GONE = "your token was revoked or expired, or your account was disabled";

/** The tunnel an upgrade asks for and what for, if it is a connect or expose upgrade. */
export function tunnelSocketOf(req: IncomingMessage): { tunnelId: string; purpose: SocketPurpose } | undefined {
  try {
    const match = TUNNEL_SOCKET_PATH.exec(new URL(req.url ?? "/", "http://warren").pathname);
    return match ? { tunnelId: match[1]!, purpose: match[2] as SocketPurpose } : undefined;
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, error: ApiError) {
  const body = JSON.stringify(error.toBody());
  const head = `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body);
}

function bearer(req: IncomingMessage): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!match?.[1]) throw new ApiError({ code: "unauthorized", message: "send your token as 'Authorization: Bearer <token>' (run `warren login`)" });
  return match[1];
}

/** Who asks, and whether they may use the tunnel now: carried here (a grant), or by another node (relayed there, which checks again). */
async function authorise(
  req: IncomingMessage,
  { tunnelId, purpose }: { tunnelId: string; purpose: SocketPurpose },
  engine: TunnelEngine,
): Promise<{ grant: ConnectGrant } | { carrier: Carrier }> {
  const token = bearer(req);
  const holder = await presentedToken(token, req.headers, "api", { needed: "tunnels", what: `${purpose} on a tunnel` });
  if (holder instanceof ApiError) {
    throw holder.status === 401 ? new ApiError({ code: "unauthorized", message: `${holder.message}: run \`warren login\` again` }) : holder;
  }
  const { user } = holder;
  const pair = { tunnelId, userId: user.id, purpose };
  const refusal = refusalOf(await accessRefusals([pair]), pair);
  if (refusal) throw refusal;
  if (engine.live(tunnelId)) return { grant: { ...pair, email: user.email, token, address: clientInfo(req.headers).ip ?? "unknown" } };
  const carrier = wasRelayed(req) ? undefined : await carrierElsewhere(tunnelId);
  if (carrier) return { carrier };
  throw await notOpenHere(tunnelId);
}

/** Why a tunnel no node carries now cannot be used: it is moving from a node that stopped, or still opening. */
async function notOpenHere(tunnelId: string): Promise<ApiError> {
  const row = await getPrisma().tunnel.findUnique({ where: { id: tunnelId }, select: { node: { select: { name: true } } } });
  const from = row?.node && row.node.name !== getConfig().node.name ? row.node.name : null;
  return new ApiError({
    code: "unavailable",
    message: from
      ? `tunnel ${tunnelId} is moving from Warren node ${from}, which stopped carrying it: try again in a moment`
      : `tunnel ${tunnelId} is not open on Warren yet: try again in a moment`,
  });
}

/** One round: each live connection's token and access, then the ones that lost either are ended. */
async function recheck(sessions: Set<ConnectSession>) {
  const live = [...sessions];
  if (live.length === 0) return;
  const owners = new Map<string, string | null>();
  for (const token of new Set(live.map((session) => session.grant.token))) {
    // Not audited as a failed token: it was valid when presented, and its end is what this round looks for.
    owners.set(token, (await userFromApiToken(token))?.id ?? null);
  }
  const refusals = await accessRefusals(live.map(({ grant }) => grant));
  for (const session of live) {
    const { grant } = session;
    const reason = owners.get(grant.token) !== grant.userId ? TOKEN_GONE : refusalOf(refusals, grant)?.message;
    if (!reason) continue;
    sessions.delete(session);
    session.revoke(reason);
  }
}

/** Runs rounds every RECHECK_MS and on demand; one at a time, at most one more asked for behind it. */
function rechecker(sessions: Set<ConnectSession>) {
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = recheck(sessions)
      .catch((error: unknown) => log().error({ err: error }, "checking live connect connections failed"))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, RECHECK_MS);
  timer.unref();
  return { run, stop: () => clearInterval(timer) };
}

/** A count per person, up to `max`: `take` answers why not once it is reached. */
function perUserCeiling(max: number, refusal: (count: number) => string) {
  const held = new Map<string, number>();
  return {
    take(userId: string): string | undefined {
      const count = held.get(userId) ?? 0;
      if (count >= max) return refusal(count);
      held.set(userId, count + 1);
    },
    give(userId: string) {
      const count = (held.get(userId) ?? 1) - 1;
      if (count > 0) held.set(userId, count);
      else held.delete(userId);
    },
  };
}

/** `warren connect` and `expose` clients one person may run at once (each carries many connections). */
const MAX_SESSIONS_PER_USER = 100;

export function registerConnect(server: Server, engine: TunnelEngine): Feature {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD_BYTES });
  const relay = new NodeRelay();
  const sessions = new Set<ConnectSession>();
  const checks = rechecker(sessions);
  const max = getConfig().connectMaxPerUser;
  const connections = perUserCeiling(
    max,
    (count) => `you have ${count} connections open through warren connect, the most Warren allows one person (WARREN_CONNECT_MAX_PER_USER): close some first`,
  );
  const clients = perUserCeiling(
    MAX_SESSIONS_PER_USER,
    (count) => `you have ${count} warren connect and expose clients running, the most Warren allows one person`,
  );
  const offRecheck = onAccessRecheck(checks.run);

  /** The one expose client holding each tunnel's far end. */
  const holders = new Map<string, ConnectSession>();
  engine.onIncoming((open, handle) => holders.get(open.tunnelId)?.carryIncoming(handle));

  const hold = (session: ConnectSession) => {
    const { tunnelId, address } = session.grant;
    holders.get(tunnelId)?.revoke(`another warren expose client took this tunnel over, from ${address}`);
    holders.set(tunnelId, session);
    engine.setClientAttached(tunnelId, address);
  };
  const release = (session: ConnectSession) => {
    sessions.delete(session);
    if (holders.get(session.grant.tunnelId) !== session) return;
    holders.delete(session.grant.tunnelId);
    engine.setClientAttached(session.grant.tunnelId, null);
  };

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, grant: ConnectGrant) => {
    if (socket.destroyed) return;
    const refusal = clients.take(grant.userId);
    if (refusal) return refuse(socket, new ApiError({ code: "rate_limited", message: refusal }));
    // The socket's close, not the session's: a handshake that ws refuses never makes a session.
    socket.once("close", () => clients.give(grant.userId));
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session: ConnectSession = new ConnectSession(ws, grant, {
        open: (peer) => engine.relay(grant.tunnelId, { source: grant.address, via: { userId: grant.userId, email: grant.email, by: "connect" } }, peer),
        tunnelOpen: () => engine.live(grant.tunnelId) !== undefined,
        take: () => connections.take(grant.userId),
        give: () => connections.give(grant.userId),
        over: () => release(session),
      });
      if (ws.readyState !== ws.OPEN) return;
      const line = { req: req.headers[REQUEST_ID_HEADER], tunnel: grant.tunnelId, user: grant.userId };
      log().info(line, `${grant.purpose} opened`);
      ws.once("close", () => log().info(line, `${grant.purpose} closed`));
      sessions.add(session);
      if (grant.purpose === "expose") hold(session);
    });
  };

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const asked = tunnelSocketOf(req);
    if (!asked) return;
    socket.on("error", () => {});
    authorise(req, asked, engine)
      .then((route) =>
        "grant" in route
          ? accept(req, socket, head, route.grant)
          : relay.upgrade(req, socket, head, route.carrier, (message) => refuse(socket, new ApiError({ code: "unavailable", message }))),
      )
      .catch((error: unknown) => {
        if (error instanceof ApiError) return refuse(socket, error);
        log().error({ err: error }, `a ${asked.purpose} upgrade failed`);
        refuse(socket, new ApiError({ code: "internal_server_error", message: "Warren could not check this connection; see its log" }));
      });
  });

  return {
    name: "connect",
    async stop() {
      checks.stop();
      offRecheck();
      for (const session of sessions) session.leave();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
