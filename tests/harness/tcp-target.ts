// A TCP service for tests to reach through a tunnel: it echoes, or greets
// first, and tells what it received and what it holds back.
import { createHash } from "node:crypto";
import net from "node:net";

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** `unsent`: bytes the target's sockets still hold, not yet taken by the kernel (backpressure reached it). */
export type Tracker = { port: number; open: () => number; accepted: () => number; unsent: () => number; received: string[]; close(): Promise<void> };

/** A target that echoes and ends its side when the peer ends (`greet`: first sends that and ends its side, and keeps reading). */
export function startTarget(greet?: Buffer): Promise<Tracker> {
  const sockets = new Set<net.Socket>();
  const received: string[] = [];
  let accepted = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("error", () => socket.destroy());
    socket.once("close", () => sockets.delete(socket));
    if (!greet) return void socket.pipe(socket);
    socket.end(greet);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => received.push(sha(Buffer.concat(chunks))));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        open: () => sockets.size,
        accepted: () => accepted,
        unsent: () => [...sockets].reduce((sum, socket) => sum + socket.writableLength, 0),
        received,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    ),
  );
}
