// Sends socket.io events, and moves sockets between rooms, from anywhere in
// the process (route handlers run in Next's bundle, which has its own module
// copies): the server puts its io on globalThis, and nothing happens while it
// is not running (CLI, tests).
import type { ServerToClientEvents } from "@/lib/realtime/events";
import { processGlobals } from "@/lib/process-globals";

type Rooms = { socketsJoin(room: string): void; socketsLeave(room: string): void };
export type Io = { to(rooms: string[]): { emit(event: string, payload: unknown): void }; in(room: string): Rooms };

const io = () => processGlobals.warrenIo;

export function publish<E extends keyof ServerToClientEvents>(rooms: string[], event: E, payload: Parameters<ServerToClientEvents[E]>[0]) {
  if (rooms.length > 0) io()?.to(rooms).emit(event, payload);
}

/** Every socket in `room` (e.g. one user's) joins or leaves `target` now,
 *  rather than at the next revalidation: a member removed from a team hears
 *  nothing more of it. */
export function moveSockets(room: string, change: { join: string } | { leave: string }) {
  const sockets = io()?.in(room);
  if (!sockets) return;
  if ("join" in change) sockets.socketsJoin(change.join);
  else sockets.socketsLeave(change.leave);
}
