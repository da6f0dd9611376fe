// A `warren connect` connection as the data plane sees it: a Duplex that
// stands in for an accepted TCP socket, fed by the main thread's messages
// (the WebSocket lives there; Node cannot hand a socket to a worker). The
// tunnel's runtime carries it like a listener's socket (SOCKS, splice).
// Backpressure both ways by credit, end to end with the laptop's client: it
// sends at most STREAM_WINDOW_BYTES not yet taken here, and writes here wait
// once as many are not yet written out on the laptop.
import { Duplex } from "node:stream";
import { MAX_FRAME_BYTES, STREAM_HEADER_BYTES, STREAM_WINDOW_BYTES } from "@/lib/connect/connect-frames";
import type { StreamNews } from "@/server/tunnels/data-plane-protocol";

type Tell = (news: StreamNews, transfer?: ArrayBuffer) => void;

/**
 * `chunks` copied into ArrayBuffers of their own (to transfer) of at most MAX_FRAME_BYTES each, behind
 * STREAM_HEADER_BYTES left free for the stream's number on the WebSocket (so the main thread copies nothing).
 */
function framesOf(chunks: Buffer[]): ArrayBuffer[] {
  let left = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const frames: ArrayBuffer[] = [];
  let frame = new Uint8Array(0);
  let at = 0;
  for (const chunk of chunks) {
    for (let read = 0; read < chunk.length; ) {
      if (at === frame.length) {
        frame = new Uint8Array(STREAM_HEADER_BYTES + Math.min(MAX_FRAME_BYTES, left));
        frames.push(frame.buffer);
        at = STREAM_HEADER_BYTES;
      }
      const take = Math.min(frame.length - at, chunk.length - read);
      frame.set(chunk.subarray(read, read + take), at);
      at += take;
      read += take;
      left -= take;
    }
  }
  return frames;
}

export class RelayedSocket extends Duplex {
  /** The laptop's address as the main thread saw it (its client address), for forwardOut's originator. */
  readonly remoteAddress: string;
  readonly remotePort = 0;
  /** Bytes sent toward the laptop and not yet credited back. */
  private unacknowledged = 0;
  /** Frames of the current write not yet sent: they wait for credit. */
  private queued: ArrayBuffer[] = [];
  /** The current write's callback, called once all its frames are sent. */
  private waiting: (() => void) | undefined;
  /** Bytes taken from the laptop, to credit once this stream's reader wants more. */
  private owed = 0;
  private peerGone = false;
  private peerEnded = false;
  private resetReason: string | undefined;

  constructor(
    readonly stream: number,
    laptopAddress: string,
    private readonly tell: Tell,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 });
    this.remoteAddress = laptopAddress;
  }

  /** Bytes from the laptop. */
  feed(chunk: ArrayBuffer) {
    if (this.destroyed) return;
    if (this.peerEnded) return void this.resetFromPeer("the laptop's client sent data after its end of stream");
    this.owed += chunk.byteLength;
    if (this.push(Buffer.from(chunk))) this.grant();
  }

  /** The laptop's end-of-stream. `read(0)` lets "end" come even while nobody reads, as a TCP socket's does. */
  endFromPeer() {
    if (this.destroyed || this.peerEnded) return;
    this.peerEnded = true;
    this.push(null);
    this.read(0);
  }

  /** The laptop reset the connection, or its client went away. */
  resetFromPeer(reason: string) {
    if (this.destroyed) return;
    this.peerGone = true;
    this.destroy(new Error(reason));
  }

  /** The main thread passed `bytes` on to the laptop. */
  credit(bytes: number) {
    this.unacknowledged -= bytes;
    this.pump();
  }

  /** As net.Socket's: the laptop's client resets its connection (with why, for --verbose). */
  resetAndDestroy(reason = "connection reset") {
    this.resetReason = reason;
    this.destroy();
    return this;
  }

  override _read() {
    this.grant();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.send([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: () => void) {
    this.send(
      chunks.map(({ chunk }) => chunk),
      callback,
    );
  }

  override _final(callback: () => void) {
    this.tell({ stream: this.stream, news: "end" });
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.waiting = undefined;
    this.queued = [];
    if (!this.peerGone) this.tell({ stream: this.stream, news: "closed", reset: error?.message ?? this.resetReason ?? null });
    this.peerGone = true;
    callback(error);
  }

  /** Sends a write's frames as far as the window allows; the rest go as credit comes back. */
  private send(chunks: Buffer[], callback: () => void) {
    this.queued = framesOf(chunks);
    this.waiting = callback;
    this.pump();
  }

  private pump() {
    while (this.queued.length > 0 && this.unacknowledged < STREAM_WINDOW_BYTES) {
      const frame = this.queued.shift()!;
      this.unacknowledged += frame.byteLength - STREAM_HEADER_BYTES;
      this.tell({ stream: this.stream, news: "data", chunk: frame }, frame);
    }
    const waiting = this.waiting;
    if (this.queued.length > 0 || !waiting) return;
    this.waiting = undefined;
    waiting();
  }

  private grant() {
    if (this.owed === 0 || this.peerGone) return;
    this.tell({ stream: this.stream, news: "credit", bytes: this.owed });
    this.owed = 0;
  }
}
