// One `warren connect` client's WebSocket on the main thread: each stream it
// opens (lib/connect/stream-mux.ts) is relayed to and from a stream in the
// data plane (relayed-socket.ts is the other end there). Credit runs end to
// end: the laptop's bytes are credited back once the worker took them, and
// the worker's once the laptop wrote them out, so neither side of this
// thread buffers more than a stream's window.
import type { WebSocket } from "ws";
import { CLOSE, closeReason, PING_INTERVAL_MS } from "@/lib/connect/connect-frames";
import { type MuxStream, type StreamEnd, StreamMux, sendFragments } from "@/lib/connect/stream-mux";
import type { SocketPurpose } from "@/lib/tunnels/access-refusals";
import type { StreamHandle, StreamPeer } from "@/server/tunnels/data-plane";

/** Who this session was authorised for, and what for, as connect-server.ts checks it again. */
export type ConnectGrant = { tunnelId: string; userId: string; email: string; token: string; address: string; purpose: SocketPurpose };

export type ConnectSessionDeps = {
  /** Opens a stream in the tunnel's runtime; undefined when the tunnel is not open here. */
  open(peer: StreamPeer): StreamHandle | undefined;
  /** Whether the tunnel is still open here: streams closed by its teardown end the session as revoked. */
  tunnelOpen(): boolean;
  /** Takes one of the person's connection slots, or says why not; `give` returns it. */
  take(): string | undefined;
  give(): void;
  /** The session ended. */
  over(): void;
};

export class ConnectSession {
  private readonly mux: StreamMux;
  private alive = true;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    readonly grant: ConnectGrant,
    private readonly deps: ConnectSessionDeps,
  ) {
    this.mux = new StreamMux(
      {
        sendBinary: (...parts) => sendFragments(ws, parts),
        sendText: (text) => ws.send(text),
        fail: (reason) => this.close(CLOSE.protocol, reason),
      },
      // Only a connect client opens streams; an expose client is given them.
      grant.purpose === "connect" ? (stream) => this.accept(stream) : undefined,
      2,
    );
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
    ws.on("message", (data: Buffer, isBinary) => this.mux.receive(data, isBinary));
    ws.on("pong", () => (this.alive = true));
    ws.on("error", () => {}); // "close" follows
    ws.once("close", () => {
      clearInterval(this.pinger);
      deps.over();
      this.mux.resetAll("the laptop's client went away");
    });
  }

  /** Access ended: every stream is reset and the laptop's client told why. */
  revoke(reason: string) {
    this.mux.resetAll(reason);
    this.close(CLOSE.revoked, reason);
  }

  /** Warren is stopping: every stream is reset, and the client may come back. */
  leave() {
    const reason = "Warren is shutting down";
    this.mux.resetAll(reason);
    this.close(CLOSE.goingAway, reason);
  }

  /** A stream the laptop opened (connect): relayed into the tunnel, or refused with why. */
  private accept(stream: MuxStream): StreamEnd | string {
    const give = this.slot();
    if (typeof give === "string") return give;
    const handle = this.deps.open(this.peerFor(stream, give));
    if (!handle) {
      give();
      return `tunnel ${this.grant.tunnelId} is not open on Warren`;
    }
    return this.endFor(handle, give);
  }

  /** A connection at the tunnel's far end (expose): opened as a stream to the laptop; undefined (reset) when the person has no room. */
  carryIncoming(handle: StreamHandle): StreamPeer | undefined {
    const give = this.slot();
    if (typeof give === "string") return undefined;
    return this.peerFor(this.mux.open(this.endFor(handle, give)), give);
  }

  /** One of the person's connection slots, and how to give it back (once); why not when there is none. */
  private slot(): (() => void) | string {
    const refusal = this.deps.take();
    if (refusal !== undefined) return refusal;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.deps.give();
    };
  }

  /** The data plane's side of a stream: what it says goes to the laptop. */
  private peerFor(stream: MuxStream, give: () => void): StreamPeer {
    return {
      data: (chunk) => stream.sendFramed(new Uint8Array(chunk)),
      end: () => stream.end(),
      credit: (bytes) => stream.taken(bytes),
      closed: (reset) => {
        give();
        if (reset) stream.reset(reset);
        else if (!this.deps.tunnelOpen()) this.revoke(`tunnel ${this.grant.tunnelId} was closed on Warren`);
        else stream.close();
      },
    };
  }

  /** The laptop's side of a stream: what it says goes to the data plane. */
  private endFor(handle: StreamHandle, give: () => void): StreamEnd {
    return {
      write: (payload) => {
        const chunk = new Uint8Array(payload.byteLength);
        chunk.set(payload);
        handle.data(chunk.buffer);
      },
      end: () => handle.end(),
      reset: (reason, sessionOver) => {
        give();
        handle.reset(sessionOver ? reason : `reset by the laptop's client: ${reason}`);
      },
      close: () => handle.end(),
      acknowledged: (bytes) => handle.credit(bytes),
    };
  }

  private close(code: number, reason: string) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, closeReason(reason));
  }

  /** A laptop that answered no ping since the last one is gone (pings also keep proxies from cutting idle sessions). */
  private ping() {
    if (!this.alive) return void this.ws.terminate();
    this.alive = false;
    this.ws.ping();
  }
}
