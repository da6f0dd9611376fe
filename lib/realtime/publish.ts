// Sends a socket.io event from anywhere in the process (route handlers run in
// Next's bundle, which has its own module copies): the server puts its io on
// globalThis, and nothing is sent while it is not running (CLI, tests).
import type { ServerToClientEvents } from "@/lib/realtime/events";

type Emitter = { to(rooms: string[]): { emit(event: string, payload: unknown): void } };

export function publish<E extends keyof ServerToClientEvents>(rooms: string[], event: E, payload: Parameters<ServerToClientEvents[E]>[0]) {
  const io = (globalThis as typeof globalThis & { warrenIo?: Emitter }).warrenIo;
  if (io && rooms.length > 0) io.to(rooms).emit(event, payload);
}
