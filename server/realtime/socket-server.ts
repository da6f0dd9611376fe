import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { userFromApiToken } from "@/lib/auth/api-tokens";
import { sessionTokenFromCookieHeader } from "@/lib/auth/authenticate";
import { userFromSessionToken, type SessionUser } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import { ADMIN_ROOM, teamRoom, tunnelRooms, userRoom, type ServerToClientEvents } from "@/lib/realtime/events";
import type { Feature } from "@/server/feature";
import type { TunnelEngine } from "@/server/tunnels/tunnel-engine";

/** `teamRooms`: the rooms it joins on connecting, looked up before it is told it is connected. */
type SocketData = { user: SessionUser; teamRooms: string[] };
export type WarrenIo = Server<Record<string, never>, ServerToClientEvents, Record<string, never>, SocketData>;

const globalForIo = globalThis as typeof globalThis & { warrenIo?: WarrenIo };

export function getIo(): WarrenIo | undefined {
  return globalForIo.warrenIo;
}

/** Browsers send Origin on every cross-site request and on WebSocket
 *  upgrades, but not on same-origin polling GETs: a foreign Origin or a
 *  cross-site fetch is refused, an absent one is not. */
function fromOwnPages(headers: Socket["handshake"]["headers"]): boolean {
  const { origin, host } = headers;
  if (headers["sec-fetch-site"] && headers["sec-fetch-site"] !== "same-origin") return false;
  if (origin === undefined) return true;
  return origin === getConfig().publicUrl || (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`));
}

/** API token in `auth.token` (scripts), else the session cookie (browsers).
 *  A cookie is only honoured from Warren's own origin, so another site cannot
 *  open a socket with a visitor's cookie. */
async function socketUser(socket: Pick<Socket, "handshake">): Promise<SessionUser | null> {
  const { auth, headers } = socket.handshake;
  const token = typeof auth?.token === "string" ? auth.token : null;
  if (token) {
    const user = await userFromApiToken(token);
    if (!user) return null;
    const { disabled: _disabled, ...rest } = user;
    return rest;
  }
  if (!fromOwnPages(headers)) return null;
  return userFromSessionToken(sessionTokenFromCookieHeader(headers.cookie));
}

const REVALIDATE_MS = 5_000;

async function teamRoomsOf(userId: string): Promise<string[]> {
  const memberships = await getPrisma().membership.findMany({ where: { userId }, select: { teamId: true } });
  return memberships.map((m) => teamRoom(m.teamId));
}

/** Puts a socket in exactly the rooms of the teams its user is in now. */
async function syncTeamRooms(socket: { data: SocketData; rooms: Set<string>; join(room: string[]): unknown; leave(room: string): unknown }) {
  const wanted = new Set(await teamRoomsOf(socket.data.user.id));
  for (const room of socket.rooms) if (room.startsWith("team:") && !wanted.has(room)) void socket.leave(room);
  void socket.join([...wanted]);
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
    void (async () => {
      for (const socket of await io.fetchSockets()) {
        const user = await socketUser(socket).catch(() => null);
        if (user && user.role === socket.data.user.role) {
          await syncTeamRooms(socket).catch(() => {});
          continue;
        }
        socket.emit("session:ended", { reason: user ? "your role changed: sign in again" : "your session has ended" });
        socket.disconnect(true);
      }
    })().finally(() => (running = false));
  }, REVALIDATE_MS);
  return timer.unref();
}

/** Tunnel events go to their owner, the team it is shared with, and admins; never to anyone else. */
function relayEngine(io: WarrenIo, engine: TunnelEngine) {
  engine.on("status", ({ ownerId, teamId, ...event }) => io.to(tunnelRooms({ ownerId, teamId })).emit("tunnel:status", event));
  // One frame per socket with just the tunnels it may hear of (each once, however many of its rooms name it).
  engine.on("stats", (batch) => {
    for (const socket of io.of("/").sockets.values()) {
      const heard = batch.filter((event) => tunnelRooms(event).some((room) => socket.rooms.has(room)));
      if (heard.length > 0) socket.emit("tunnel:stats", { tunnels: heard.map(({ ownerId: _owner, teamId: _team, ...stats }) => stats) });
    }
  });
}

export function registerRealtime(httpServer: HttpServer, engine: TunnelEngine): Feature {
  const io: WarrenIo = new Server(httpServer, {
    serveClient: false,
    // Leave other upgrade requests (Next's dev reload socket) alone.
    destroyUpgrade: false,
  });
  io.use((socket, next) => {
    socketUser(socket)
      .then(async (user) => {
        if (!user) return next(new Error("unauthorized"));
        socket.data.user = user;
        socket.data.teamRooms = await teamRoomsOf(user.id);
        next();
      })
      .catch(() => next(new Error("unauthorized")));
  });
  io.on("connection", (socket) => {
    const { user } = socket.data;
    void socket.join(userRoom(user.id));
    if (user.role === "admin") void socket.join(ADMIN_ROOM);
    void socket.join(socket.data.teamRooms);
  });
  relayEngine(io, engine);
  const revalidation = revalidateSockets(io);
  globalForIo.warrenIo = io;
  return {
    name: "realtime",
    stop: () =>
      new Promise((resolve) => {
        // close() drops the transports without a DISCONNECT packet, so
        // browsers reconnect by themselves once Warren is back.
        clearInterval(revalidation);
        globalForIo.warrenIo = undefined;
        io.close(() => resolve());
      }),
  };
}
