// Many TCP connections over one WebSocket, as numbered streams
// (connect-frames.ts), for both ends: the laptop client and Warren. Each
// stream keeps TCP's semantics: a FIN each way (`end`), a reset with its
// reason, a clean close; and its own window, so one slow reader holds back
// only its own stream and nothing buffers without bound: a side stops sending
// on a stream once STREAM_WINDOW_BYTES are not yet credited back by its other
// end (a last write may go past it), and a stream that receives twice that is
// reset. Credits are batched, one frame a turn.
// Written here rather than taken from a library: the multiplexers on npm
// (yamux, mplex) bring their own framing and stream classes; this keeps the
// wire small, documented in docs/api.md, and readable by the client's bundle.
import { type ControlFrame, MAX_FRAME_BYTES, parseControl, STREAM_HEADER_BYTES, STREAM_WINDOW_BYTES, streamHeader } from "./connect-frames";

/** How the mux reaches the WebSocket under it. */
export type MuxWire = {
  /** One binary message, sent as one frame per part (fragments, which the receiver joins): no copy to join them here. */
  sendBinary(...parts: Uint8Array[]): void;
  sendText(text: string): void;
  /** The other side broke the protocol: the session must end, with this reason. */
  fail(reason: string): void;
};

/** `parts` as one binary message of a `ws` WebSocket: one fragment each. */
export function sendFragments(ws: { send(data: Uint8Array, options: { fin: boolean }): void }, parts: Uint8Array[]) {
  for (let index = 0; index < parts.length; index += 1) ws.send(parts[index]!, { fin: index === parts.length - 1 });
}

/** One stream's local end (a socket, the data plane's stream), as the mux drives it. */
export type StreamEnd = {
  /** Bytes from the other side; the local end calls `taken` once they were passed on. */
  write(payload: Buffer): void;
  /** The other side's FIN. */
  end(): void;
  /** The stream ended abnormally, with why: the other side reset it, or the whole session ended (`sessionOver`). */
  reset(reason: string, sessionOver?: boolean): void;
  /** The other side closed the stream, everything delivered. */
  close(): void;
  /** The other side took `bytes` of what this end sent: the window has that much more room. */
  acknowledged(bytes: number): void;
};

/** A stream as its local end uses it. */
export type MuxStream = {
  readonly id: number;
  /** Whether the window is full: wait for `acknowledged` before sending more. */
  readonly full: boolean;
  /** Sends bytes; false once the window is full. */
  send(payload: Uint8Array): boolean;
  /** Sends a frame built with STREAM_HEADER_BYTES free in front (no copy); the same answer as `send`. */
  sendFramed(frame: Uint8Array): boolean;
  /** The local end passed on `bytes` the other side sent. */
  taken(bytes: number): void;
  end(): void;
  reset(reason: string): void;
  close(): void;
};

type Entry = { end: StreamEnd; unacknowledged: number; unread: number };

/** A stream's end while `accept` decides. */
const REFUSED: StreamEnd = { write() {}, end() {}, reset() {}, close() {}, acknowledged() {} };

export class StreamMux {
  private readonly streams = new Map<number, Entry>();
  private readonly credits = new Map<number, number>();
  private flushing = false;
  private nextId: number;
  /** The other side's last stream: each new one has a higher number. */
  private lastOpened = 0;
  private failed = false;

  constructor(
    private readonly wire: MuxWire,
    /** Streams the other side opens: their local end, or why not. Absent: this side alone opens streams. */
    private readonly accept?: (stream: MuxStream) => StreamEnd | string,
    /** The client numbers its streams from 1, Warren from 2, so both may open streams on one session. */
    first: 1 | 2 = 1,
  ) {
    this.nextId = first;
  }

  get size() {
    return this.streams.size;
  }

  /** Opens a stream to the other side. */
  open(end: StreamEnd): MuxStream {
    const id = this.nextId;
    this.nextId += 2;
    this.streams.set(id, { end, unacknowledged: 0, unread: 0 });
    this.control({ type: "open", stream: id });
    return this.handle(id);
  }

  /** A message from the WebSocket. */
  receive(data: Buffer, isBinary: boolean) {
    if (this.failed) return;
    if (isBinary) return this.receiveData(data);
    const frame = parseControl(data.toString("utf8"));
    if (!frame) return this.fail("a control frame that is not one");
    if (frame.type === "credit") {
      for (const [id, bytes] of frame.credits) this.acknowledge(id, bytes);
      return;
    }
    if (frame.type === "open") return this.receiveOpen(frame.stream);
    const entry = this.streams.get(frame.stream);
    if (!entry) return; // ended here a moment ago
    if (frame.type === "end") return entry.end.end();
    this.forget(frame.stream);
    if (frame.type === "close") entry.end.close();
    else entry.end.reset(frame.reason);
  }

  /** The session is over: every stream's local end is reset with `reason`. */
  resetAll(reason: string) {
    const entries = [...this.streams.values()];
    this.streams.clear();
    for (const entry of entries) entry.end.reset(reason, true);
  }

  private receiveOpen(id: number) {
    if (!this.accept || id % 2 === this.nextId % 2 || id <= this.lastOpened) return this.fail(`an open of stream ${id}, which it may not open`);
    this.lastOpened = id;
    const entry: Entry = { end: REFUSED, unacknowledged: 0, unread: 0 };
    this.streams.set(id, entry);
    const end = this.accept(this.handle(id));
    if (typeof end !== "string") entry.end = end;
    else if (this.streams.delete(id)) this.control({ type: "reset", stream: id, reason: end });
  }

  private receiveData(data: Buffer) {
    if (data.length < STREAM_HEADER_BYTES || data.length > STREAM_HEADER_BYTES + MAX_FRAME_BYTES) {
      return this.fail(`a data frame of ${data.length} bytes (at most ${MAX_FRAME_BYTES} after its ${STREAM_HEADER_BYTES}-byte header)`);
    }
    const id = data.readUInt32BE(0);
    const entry = this.streams.get(id);
    if (!entry || data.length === STREAM_HEADER_BYTES) return;
    entry.unread += data.length - STREAM_HEADER_BYTES;
    if (entry.unread > 2 * STREAM_WINDOW_BYTES) {
      this.forget(id);
      this.control({ type: "reset", stream: id, reason: "sent more than its window" });
      return entry.end.reset("the other side sent more than the stream's window");
    }
    entry.end.write(data.subarray(STREAM_HEADER_BYTES));
  }

  private acknowledge(id: number, bytes: number) {
    const entry = this.streams.get(id);
    if (!entry) return;
    entry.unacknowledged -= bytes;
    entry.end.acknowledged(bytes);
  }

  private handle(id: number): MuxStream {
    const live = () => this.streams.get(id);
    const sent = (entry: Entry, bytes: number) => {
      entry.unacknowledged += bytes;
      return entry.unacknowledged < STREAM_WINDOW_BYTES;
    };
    return {
      id,
      get full() {
        return (live()?.unacknowledged ?? 0) >= STREAM_WINDOW_BYTES;
      },
      send: (payload) => {
        const entry = live();
        if (!entry) return false;
        for (let at = 0; at < payload.byteLength; at += MAX_FRAME_BYTES) {
          this.wire.sendBinary(streamHeader(id), payload.subarray(at, at + MAX_FRAME_BYTES));
        }
        return sent(entry, payload.byteLength);
      },
      sendFramed: (frame) => {
        const entry = live();
        if (!entry) return false;
        new DataView(frame.buffer, frame.byteOffset, STREAM_HEADER_BYTES).setUint32(0, id);
        this.wire.sendBinary(frame);
        return sent(entry, frame.byteLength - STREAM_HEADER_BYTES);
      },
      taken: (bytes) => {
        const entry = live();
        if (!entry || bytes <= 0) return;
        entry.unread -= bytes;
        this.credits.set(id, (this.credits.get(id) ?? 0) + bytes);
        this.flushSoon();
      },
      end: () => live() && this.control({ type: "end", stream: id }),
      reset: (reason) => {
        if (!live()) return;
        this.forget(id);
        this.control({ type: "reset", stream: id, reason });
      },
      close: () => {
        if (!live()) return;
        this.forget(id);
        this.control({ type: "close", stream: id });
      },
    };
  }

  private forget(id: number) {
    this.streams.delete(id);
    this.credits.delete(id);
  }

  private flushSoon() {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      if (this.credits.size === 0 || this.failed) return;
      this.control({ type: "credit", credits: [...this.credits] });
      this.credits.clear();
    });
  }

  private control(frame: ControlFrame) {
    this.wire.sendText(JSON.stringify(frame));
  }

  private fail(what: string) {
    this.failed = true;
    const reason = `the other side sent ${what}`;
    this.resetAll(reason);
    this.wire.fail(reason);
  }
}
