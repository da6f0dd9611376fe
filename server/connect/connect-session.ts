// One `warren connect` connection on the main thread: its WebSocket relayed
// to and from its stream in the data plane (relayed-socket.ts is the other
// end). Binary frames are bytes, the end frame is a half-close, the close
// code says how it ended (lib/connect/connect-frames.ts). Backpressure: the
// WebSocket is paused while more than RELAY_WINDOW_BYTES it sent are not yet
// taken by the worker, and the worker's bytes are credited back only once
// written to the WebSocket's socket.
import type { WebSocket } from "ws";
import { CLOSE, closeReason, END_FRAME, MAX_FRAME_BYTES, PING_INTERVAL_MS, parseControl, RELAY_WINDOW_BYTES } from "@/lib/connect/connect-frames";
import type { StreamHandle, StreamPeer } from "@/server/tunnels/data-plane";

/** Who this connection was authorised for, as connect-watch.ts checks it again. */
export type ConnectGrant = { tunnelId: string; userId: string; email: string; token: string; address: string };

type Opener = (peer: StreamPeer) => StreamHandle | undefined;

export class ConnectSession {
  private handle: StreamHandle | undefined;
  /** Bytes sent to the worker and not yet taken there. */
  private unacknowledged = 0;
  private over = false;
  private alive = true;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    readonly grant: ConnectGrant,
    open: Opener,
    /** Whether the tunnel is still open here: a stream closed by its teardown is then told as revoked. */
    private readonly tunnelOpen: () => boolean,
    onOver: () => void,
  ) {
    ws.binaryType = "arraybuffer";
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
    ws.on("message", (data: ArrayBuffer, isBinary) => (isBinary ? this.fromLaptop(data) : this.control(String(Buffer.from(data)))));
    ws.on("pong", () => (this.alive = true));
    ws.on("error", () => {}); // "close" follows
    ws.once("close", (code, reason) => {
      clearInterval(this.pinger);
      onOver();
      this.finish(code === CLOSE.reset ? `reset by the laptop's client${reason.length ? `: ${reason}` : ""}` : "the laptop's client went away");
    });
    this.handle = open(this.peer());
    if (!this.handle) this.close(CLOSE.revoked, `tunnel ${grant.tunnelId} is not open on Warren`);
  }

  /** Access ended: the stream is reset and the laptop's client told why. */
  revoke(reason: string) {
    this.finish(reason);
    this.close(CLOSE.revoked, reason);
  }

  private peer(): StreamPeer {
    return {
      data: (chunk) => {
        const bytes = chunk.byteLength;
        this.ws.send(chunk, { binary: true }, (error) => {
          if (!error) this.handle?.credit(bytes);
        });
      },
      end: () => this.ws.send(END_FRAME),
      credit: (bytes) => {
        this.unacknowledged -= bytes;
        if (this.ws.isPaused && this.unacknowledged <= RELAY_WINDOW_BYTES) this.ws.resume();
      },
      closed: (reset) => {
        this.over = true;
        if (reset) this.close(CLOSE.reset, reset);
        else if (!this.tunnelOpen()) this.close(CLOSE.revoked, `tunnel ${this.grant.tunnelId} was closed on Warren`);
        else this.close(CLOSE.done, "");
      },
    };
  }

  private fromLaptop(chunk: ArrayBuffer) {
    if (chunk.byteLength > MAX_FRAME_BYTES) return this.protocolError(`a data frame larger than ${MAX_FRAME_BYTES} bytes`);
    if (chunk.byteLength === 0 || this.over) return;
    this.unacknowledged += chunk.byteLength;
    this.handle?.data(chunk);
    if (this.unacknowledged > RELAY_WINDOW_BYTES) this.ws.pause();
  }

  private control(text: string) {
    if (parseControl(text)?.type === "end") return this.handle?.end();
    this.protocolError("an unknown control frame");
  }

  private protocolError(what: string) {
    const reason = `the laptop's client sent ${what}`;
    this.finish(reason);
    this.close(CLOSE.reset, reason);
  }

  /** Ends the stream in the worker (a reset) unless it is over already. */
  private finish(reason: string) {
    if (this.over) return;
    this.over = true;
    this.handle?.reset(reason);
  }

  private close(code: number, reason: string) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, closeReason(reason));
  }

  /** A laptop that answered no ping since the last one is gone (pings also keep proxies from cutting idle connections). */
  private ping() {
    if (!this.alive) return void this.ws.terminate();
    this.alive = false;
    this.ws.ping();
  }
}
