import type net from "node:net";
import type { Duplex } from "node:stream";

export type Meter = { bytesIn: number; bytesOut: number };

/** The side that feeds an SSH channel, and the SSH connection's socket. */
export type SshFeed = { source: Duplex; sshSocket: net.Socket };

/** Pauses the feeding side whenever the SSH connection's socket has more
 *  queued than it should (writableNeedDrain), until it drains. ssh2 writes
 *  channel data into that socket regardless of backpressure, so a source
 *  faster than the link would otherwise queue there, up to each channel's
 *  window (see SEND_QUEUE_BYTES in ssh-connect.ts for what this bought). */
function throttle({ source, sshSocket }: SshFeed) {
  source.on("data", () => {
    if (!sshSocket.writableNeedDrain || source.isPaused()) return;
    source.pause();
    sshSocket.once("drain", () => source.resume());
  });
}

/** Pipes a client and the far side into each other, counting bytes each way
 *  into every meter given (the connection's and its tunnel's). Half-closes
 *  pass through, so request/response protocols that shut down writing work.
 *  Resolves once the client is gone and the far side closed (or was told to
 *  close by us), with the first error if any. With `feed`, the side that
 *  writes into the SSH channel waits whenever the SSH connection has a backlog. */
export function splice(client: Duplex, far: Duplex, meters: Meter[], feed?: SshFeed): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let firstError: Error | undefined;
    let clientClosed = false;
    let farClosed = false;
    const settle = () => {
      if (clientClosed && farClosed) resolve(firstError);
    };
    // One side went away while the other was being opened (e.g. a teardown).
    if (client.destroyed || far.destroyed) {
      client.destroy();
      far.destroy();
      return resolve(new Error("closed before the connection was established"));
    }
    const fail = (error: Error) => {
      firstError ??= error;
      client.destroy();
      far.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      for (const meter of meters) meter.bytesOut += chunk.length;
    });
    far.on("data", (chunk: Buffer) => {
      for (const meter of meters) meter.bytesIn += chunk.length;
    });
    client.on("error", fail);
    far.on("error", fail);
    client.once("close", () => {
      clientClosed = true;
      // An ssh2 channel we close may report "close" late, or only once drained;
      // having asked it to close is enough for this connection to be over.
      far.destroy();
      far.resume();
      farClosed = true;
      settle();
    });
    far.once("close", () => {
      farClosed = true;
      client.destroy();
      settle();
    });
    client.pipe(far);
    far.pipe(client);
    // After pipe(): each check then sees the write the chunk just made.
    if (feed) throttle(feed);
  });
}
