// One connection through a tunnel's SSH link, as a Duplex on the main thread:
// the web app proxy's HTTP client writes to and reads from it as from a TCP
// socket to the app. It is a data-plane stream like a `warren connect`
// connection's (server/tunnels/relayed-socket.ts is the worker's end), so
// web requests take the same path, records and access rules, and no port is
// opened on the bastion. Backpressure by the same credit: at most
// STREAM_WINDOW_BYTES sent and not yet taken by the worker, and the worker's
// bytes credited back only as this stream's reader takes them.
import { Duplex } from "node:stream";
import { STREAM_HEADER_BYTES, STREAM_WINDOW_BYTES } from "@/lib/connect/connect-frames";
import type { StreamHandle, StreamPeer } from "@/server/tunnels/data-plane";

export type OpenStream = (peer: StreamPeer) => StreamHandle | undefined;

export class TunnelStream extends Duplex {
  private handle: StreamHandle | undefined;
  private unacknowledged = 0;
  private waiting: (() => void) | undefined;
  private owed = 0;
  private over = false;

  constructor(open: OpenStream, notOpen: string) {
    super({ allowHalfOpen: false });
    this.handle = open({
      data: (chunk) => {
        this.owed += chunk.byteLength - STREAM_HEADER_BYTES;
        if (this.push(Buffer.from(chunk, STREAM_HEADER_BYTES))) this.grant();
      },
      end: () => this.push(null),
      credit: (bytes) => {
        this.unacknowledged -= bytes;
        this.release();
      },
      closed: (reset) => {
        this.over = true;
        if (reset) this.destroy(new Error(reset));
        else this.push(null);
      },
    });
    if (!this.handle) {
      this.over = true;
      process.nextTick(() => this.destroy(new Error(notOpen)));
    }
  }

  // What Node's HTTP client asks of a socket; a stream has no TCP options of its own.
  setKeepAlive() {
    return this;
  }
  setNoDelay() {
    return this;
  }
  setTimeout() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }

  override _read() {
    this.grant();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    if (!this.handle || this.over) return callback();
    const copy = new Uint8Array(chunk.length);
    copy.set(chunk);
    this.unacknowledged += chunk.length;
    this.handle.data(copy.buffer);
    this.waiting = callback;
    this.release();
  }

  override _final(callback: () => void) {
    if (!this.over) this.handle?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    if (!this.over) this.handle?.reset(error?.message ?? "closed by Warren's web proxy");
    this.over = true;
    this.waiting = undefined;
    callback(error);
  }

  /** The current write is done once the worker has room for more. */
  private release() {
    if (!this.waiting || this.unacknowledged >= STREAM_WINDOW_BYTES) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting();
  }

  private grant() {
    if (this.owed === 0 || this.over) return;
    this.handle?.credit(this.owed);
    this.owed = 0;
  }
}
