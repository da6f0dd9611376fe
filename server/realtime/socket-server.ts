import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { ApiError } from "@/lib/api/api-error";
import { presentedToken, sessionTokenFromCookieHeader } from "@/lib/auth/authenticate";
import { userFromSessionToken, type SessionUser } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import { processGlobals } from "@/lib/process-globals";
import { ADMIN_ROOM, teamRoom, tunnelRooms, userRoom, type ServerToClientEvents } from "@/lib/realtime/events";
import type { Feature } from "@/server/feature";
import { clusterAdapter } from "@/server/realtime/cluster-adapter";
import { roleOf, sessionCredential, tokenCredential, validCredentials, type Credential } from "@/server/realtime/socket-credentials";
import type { StatsEvent, TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { log, REQUEST_ID_HEADER } from "@/lib/log";

/** `teamRooms`: the rooms it joins on connecting, looked up before it is told
 *  it is connected; `credential`: what it signed in with, checked again every few seconds. */
type SocketData = { user: SessionUser; teamRooms: string[]; credential: Credential };
/** Between nodes: each one's tunnel stats, for the sockets the others hold. */
type NodeToNodeEvents = { stats: (batch: StatsEvent[]) => void };
export type WarrenIo = Server<Record<string, never>, ServerToClientEvents, NodeToNodeEvents, SocketData>;

/** Browsers send Origin on every cross-site request and on WebSocket
 *  upgrades, but not on same-origin polling GETs: a foreign Origin or a
 *  cross-site fetch is refused, an absent one is not. Warren's pages are
 *  served at its public URL; an Origin that merely matches the Host header
 *  is a page at another name (DNS rebinding), as for the API's CSRF check. */
function fromOwnPages(headers: Socket["handshake"]["headers"]): boolean {
  if (headers["sec-fetch-site"] && headers["sec-fetch-site"] !== "same-origin") return false;
  return headers.origin === undefined || headers.origin === getConfig().publicUrl;
}

/** API token in `auth.token` (scripts), else the session cookie (browsers).
 *  A cookie is only honoured from Warren's own origin, so another site cannot
 *  open a socket with a visitor's cookie. */
async function socketUser(socket: Pick<Socket, "handshake">): Promise<{ user: SessionUser; credential: Credential } | null> {
  const { auth, headers } = socket.handshake;
  const token = typeof auth?.token === "string" ? auth.token : null;
  if (token) {
    const holder = await presentedToken(token, headers, "socket", { needed: "read", what: "live updates" });
    if (holder instanceof ApiError) return null;
    const { disabled: _disabled, ...user } = holder.user;
    return { user, credential: tokenCredential(token) };
  }
  if (!fromOwnPages(headers)) return null;
  const jwt = sessionTokenFromCookieHeader(headers.cookie);
  const [user, credential] = await Promise.all([userFromSessionToken(jwt), sessionCredential(jwt)]);
  return user && credential ? { user, credential } : null;
}

const REVALIDATE_MS = 5_000;

/** Live sockets one user may hold at once (browser tabs and scripts); more are refused at the handshake. */
export const SOCKETS_PER_USER = 20;
const TOO_MANY_SOCKETS = `too many live connections: at most ${SOCKETS_PER_USER} per user; close other Warren tabs or scripts`;
/** Clients send nothing but socket.io's own packets: a burst of this many,
 *  refilled at this rate a second, and a connection sending more is dropped. */
const PACKET_BURST = 2_000;
const PACKETS_PER_SECOND = 200;
/** Far above any packet a client needs to send (its handshake), far below the library's 1 MB. */
const MAX_PACKET_BYTES = 64 * 1024;

/** Each team's room for the users given, by user. */
async function teamRoomsByUser(userIds: string[]): Promise<Map<string, string[]>> {
  const memberships = await getPrisma().membership.findMany({ where: { userId: { in: [...new Set(userIds)] } }, select: { userId: true, teamId: true } });
  const rooms = new Map<string, string[]>(userIds.map((id) => [id, []]));
  for (const m of memberships) rooms.get(m.userId)!.push(teamRoom(m.teamId));
  return rooms;
}

/** Puts a socket in exactly the rooms of the teams its user is in now. */
function syncTeamRooms(socket: { rooms: Set<string>; join(room: string[]): unknown; leave(room: string): unknown }, rooms: string[]) {
  const wanted = new Set(rooms);
  for (const room of socket.rooms) if (room.startsWith("team:") && !wanted.has(room)) void socket.leave(room);
  void socket.join([...wanted]);
}

/** One round: every socket's credential, and its user's teams, checked in one go. */
async function revalidate(io: WarrenIo) {
  const sockets = [...io.of("/").sockets.values()];
  if (sockets.length === 0) return;
  const [valid, rooms] = await Promise.all([validCredentials(sockets.map((s) => s.data.credential)), teamRoomsByUser(sockets.map((s) => s.data.user.id))]);
  for (const socket of sockets) {
    const role = roleOf(valid, socket.data.credential);
    if (role === socket.data.user.role) {
      syncTeamRooms(socket, rooms.get(socket.data.user.id) ?? []);
      continue;
    }
    socket.emit("session:ended", { reason: role ? "your role changed: sign in again" : "your session has ended" });
    socket.disconnect(true);
  }
}

/** Every few seconds, each socket's credential is checked again: a session
 *  that ended (sign-out, user disabled, even by the CLI in another process)
 *  or a revoked token loses its socket, and the browser is sent to sign in.
 *  Team rooms follow membership changes at the same pace. */
function revalidateSockets(io: WarrenIo): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    revalidate(io)
      .catch((error: unknown) => log().error({ err: error }, "checking live sockets' sessions failed"))
      .finally(() => (running = false));
  }, REVALIDATE_MS);
  return timer.unref();
}

/** Places taken per user: claimed at the handshake (before socket.io adds
 *  the socket, so concurrent handshakes cannot all slip under the limit),
 *  given back once when the socket or its connection goes. */
function socketPlaces() {
  const taken = new Map<string, number>();
  const give = (userId: string) => {
    const left = (taken.get(userId) ?? 1) - 1;
    if (left > 0) taken.set(userId, left);
    else taken.delete(userId);
  };
  return (socket: Socket, userId: string): boolean => {
    if (socket.conn.readyState !== "open" || (taken.get(userId) ?? 0) >= SOCKETS_PER_USER) return false;
    taken.set(userId, (taken.get(userId) ?? 0) + 1);
    let given = false;
    const release = () => {
      if (!given) give(userId);
      given = true;
    };
    socket.once("disconnect", release);
    socket.conn.once("close", release);
    return true;
  };
}

/** Drops an engine.io connection (signed in or not) that sends more packets than socket.io itself ever needs. */
function limitPackets(conn: { on(event: "packet", listener: () => void): unknown; close(): unknown }) {
  let allowance = PACKET_BURST;
  let last = Date.now();
  conn.on("packet", () => {
    const now = Date.now();
    allowance = Math.min(PACKET_BURST, allowance + ((now - last) / 1000) * PACKETS_PER_SECOND) - 1;
    last = now;
    if (allowance < 0) conn.close();
  });
}

/** The engine's counters go to a tunnel's owner, the team it is shared with,
 *  and admins; never to anyone else: one frame per socket with just the
 *  tunnels it may hear of (each once, however many of its rooms name it).
 *  Every other event, statuses too, is sent by lib/realtime/publish.ts. */
/** Each second's stats of the tunnels this node carries, to the sockets here
 *  that may hear of them and, with several nodes, to the other nodes for theirs. */
function relayStats(io: WarrenIo, engine: TunnelEngine, clustered: boolean) {
  const toSocketsHere = (batch: StatsEvent[]) => {
    for (const socket of io.of("/").sockets.values()) {
      const heard = batch.filter((event) => tunnelRooms(event).some((room) => socket.rooms.has(room)));
      if (heard.length > 0) socket.emit("tunnel:stats", { tunnels: heard.map(({ ownerId: _owner, teamId: _team, ...stats }) => stats) });
    }
  };
  engine.on("stats", (batch) => {
    toSocketsHere(batch);
    if (clustered) io.serverSideEmit("stats", batch);
  });
  io.on("stats", toSocketsHere);
}

export function registerRealtime(httpServer: HttpServer, engine: TunnelEngine): Feature {
  const io: WarrenIo = new Server(httpServer, {
    serveClient: false,
    // Leave other upgrade requests (Next's dev reload socket) alone.
    destroyUpgrade: false,
    maxHttpBufferSize: MAX_PACKET_BYTES,
  });
  const cluster = clusterAdapter();
  if (cluster) io.adapter(cluster.adapter);
  io.engine.on("connection", limitPackets);
  const claimPlace = socketPlaces();
  io.use((socket, next) => {
    socketUser(socket)
      .then(async (found) => {
        if (!found) return next(new Error("unauthorized"));
        const rooms = await teamRoomsByUser([found.user.id]);
        if (!claimPlace(socket, found.user.id)) return next(new Error(TOO_MANY_SOCKETS));
        socket.data = { ...found, teamRooms: rooms.get(found.user.id)! };
        next();
      })
      .catch(() => next(new Error("unauthorized")));
  });
  io.on("connection", (socket) => {
    const { user } = socket.data;
    const line = { req: socket.request.headers[REQUEST_ID_HEADER], socket: socket.id, user: user.id };
    log().info(line, "live updates connected");
    socket.once("disconnect", (reason) => log().info({ ...line, reason }, "live updates disconnected"));
    void socket.join(userRoom(user.id));
    if (user.role === "admin") void socket.join(ADMIN_ROOM);
    void socket.join(socket.data.teamRooms);
  });
  relayStats(io, engine, cluster !== undefined);
  const revalidation = revalidateSockets(io);
  processGlobals.warrenIo = io;
  return {
    name: "realtime",
    stop: () =>
      new Promise((resolve) => {
        // close() drops the transports without a DISCONNECT packet, so
        // browsers reconnect by themselves once Warren is back.
        clearInterval(revalidation);
        processGlobals.warrenIo = undefined;
        io.close(() => void (cluster?.pool.end() ?? Promise.resolve()).finally(resolve));
      }),
  };
}
