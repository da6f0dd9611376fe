// Holds a socket's writes until this turn of the event loop has run its I/O
// callbacks, so everything written in it leaves in one writev. Used for the
// SSH connection's socket (ssh-connect.ts) and the sockets tunnel channels
// write into (splice.ts); docs/performance.md, "Tunings", says what it bought.
import type { Writable } from "node:stream";

const corked = new WeakSet<Writable>();

/** Corks `socket` until setImmediate unless this turn already did; true when this call did. */
export function corkForTurn(socket: Writable): boolean {
  if (corked.has(socket)) return false;
  corked.add(socket);
  socket.cork();
  setImmediate(() => {
    corked.delete(socket);
    socket.uncork();
  });
  return true;
}
