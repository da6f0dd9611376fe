import net from "node:net";
// One TCP exchange as an application makes it: connect, send and half-close,
// then collect what comes back until the connection closes, and how it ended.

/** `ended`: the peer's FIN arrived; `error`: the socket's error code (ECONNRESET: a reset). */
export type Exchange = { received: Buffer; ended: boolean; error?: string };

/** Connects to `host`:`port`, sends `send` and half-closes (null: sends nothing and stays open), and resolves once the connection closed. */
export function exchange(port: number, send: Buffer | null, host = "127.0.0.1"): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let ended = false;
    let error: string | undefined;
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => {
      ended = true;
      socket.end();
    });
    socket.once("error", (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.once("close", () => resolve({ received: Buffer.concat(chunks), ended, error }));
    socket.once("connect", () => {
      if (send) socket.end(send);
    });
  });
}
