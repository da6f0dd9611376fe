import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { userFromApiToken } from "@/lib/auth/api-tokens";
import { sessionTokenFromCookieHeader } from "@/lib/auth/authenticate";
import { userFromSessionToken, type SessionUser } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import { ADMIN_ROOM, userRoom, type ServerToClientEvents } from "@/lib/realtime/events";
import type { Feature } from "@/server/feature";
import type { TunnelEngine } from "@/server/tunnels/tunnel-engine";

type SocketData = { user: SessionUser };
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

/** Every few seconds, each socket's credential is checked again: a session
 *  that ended (sign-out, user disabled, even by the CLI in another process)
 *  or a revoked token loses its socket, and the browser is sent to sign in. */
function revalidateSockets(io: WarrenIo): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      for (const socket of await io.fetchSockets()) {
        const user = await socketUser(socket).catch(() => null);
        if (user && user.role === socket.data.user.role) continue;
        socket.emit("session:ended", { reason: user ? "your role changed: sign in again" : "your session has ended" });
        socket.disconnect(true);
      }
    })().finally(() => (running = false));
  }, REVALIDATE_MS);
  return timer.unref();
}

/** Tunnel events go to their owner and to admins, never to anyone else. */
function relayEngine(io: WarrenIo, engine: TunnelEngine) {
  engine.on("status", ({ ownerId, ...event }) => io.to([userRoom(ownerId), ADMIN_ROOM]).emit("tunnel:status", event));
  engine.on("stats", ({ ownerId, ...event }) => io.to([userRoom(ownerId), ADMIN_ROOM]).emit("tunnel:stats", event));
}

export function registerRealtime(httpServer: HttpServer, engine: TunnelEngine): Feature {
  const io: WarrenIo = new Server(httpServer, {
    serveClient: false,
    // Leave other upgrade requests (Next's dev reload socket) alone.
    destroyUpgrade: false,
  });
  io.use((socket, next) => {
    socketUser(socket)
      .then((user) => {
        if (!user) return next(new Error("unauthorized"));
        socket.data.user = user;
        next();
      })
      .catch(() => next(new Error("unauthorized")));
  });
  io.on("connection", (socket) => {
    const { user } = socket.data;
    void socket.join(userRoom(user.id));
    if (user.role === "admin") void socket.join(ADMIN_ROOM);
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
