// The laptop client's one WebSocket to Warren for a tunnel
// (/api/v1/tunnels/:id/connect or /expose), carrying its connections as
// streams (lib/connect/stream-mux.ts), and a local socket as a stream's end.
// Shared by `connect` (streams it opens) and `expose` (streams Warren opens).
import net from "node:net";
import { WebSocket } from "ws";
import { CLOSE, MAX_PAYLOAD_BYTES } from "@/lib/connect/connect-frames";
import { type MuxStream, type StreamEnd, StreamMux, sendFragments } from "@/lib/connect/stream-mux";
import { apiErrorText, type Session, unreachable } from "./warren-api";

export type Say = { out(line: string): void; err(line: string): void };

/**
 * A long-running command's end: `stop()` (or Ctrl-C) resolves `until`, `stop(error)` rejects it (exit 1);
 * `until(cleanup)` runs `cleanup` either way.
 */
export function stopper() {
  let stop: (error?: Error) => void = () => {};
  const stopped = new Promise<void>((resolve, reject) => {
    stop = (error) => (error ? reject(error) : resolve());
  });
  return {
    stop: (error?: Error) => stop(error),
    async until(cleanup: () => void) {
      const interrupted = () => stop();
      process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
      try {
        await stopped;
      } finally {
        process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
        cleanup();
      }
    },
  };
}

/** Answers that mean this tunnel cannot be used from here any more: the client stops. */
const FINAL_STATUSES = new Set([401, 403, 404, 409]);

/**
 * Masking (RFC 6455) keeps a page's script from steering what an intermediary that does not speak WebSocket
 * reads as HTTP. None can read these frames over TLS or on loopback, so there the mask is zero, which ws skips
 * on both ends (without its native addon, masking is a JavaScript pass over every byte sent).
 */
function maskFor(url: URL): ((mask: Buffer) => void) | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || (net.isIPv4(host) && host.startsWith("127."));
  return url.protocol === "wss:" || loopback ? (mask) => mask.fill(0) : undefined;
}

/** Warren's answer to a refused upgrade, as one line. */
function refusalText(response: NodeJS.ReadableStream & { statusCode?: number }): Promise<string> {
  const chunks: Buffer[] = [];
  response.on("data", (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) =>
    response.on("end", () => {
      let body: unknown = null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // not Warren's JSON: the status says it
      }
      resolve(apiErrorText(response.statusCode ?? 0, body));
    }),
  );
}

export type TunnelSocketOptions = {
  session: Session;
  tunnelId: string;
  purpose: "connect" | "expose";
  say: Say;
  /** Warren ended this tunnel's use from here: the client stops, saying why. */
  final(reason: string): void;
  /** Streams Warren opens (expose): their local end, or why not. */
  accept?: (stream: MuxStream) => StreamEnd | string;
  /** The WebSocket ended without `final` (Warren restarting, the network): `get` opens a new one. */
  dropped?(reason: string): void;
};

/**
 * The one WebSocket to Warren for a tunnel, opened by `get` (when a connection needs it, or at once for expose).
 * A refusal that means this tunnel cannot be used from here (or access ending later) is `final`. Any other
 * failure is printed, and the next `get` tries again.
 */
export function tunnelSocket({ session, tunnelId, purpose, say, final, accept, dropped }: TunnelSocketOptions) {
  const url = new URL(`api/v1/tunnels/${tunnelId}/${purpose}`, session.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const generateMask = maskFor(url);
  let current: Promise<StreamMux> | undefined;
  let ws: WebSocket | undefined;
  const open = () =>
    new Promise<StreamMux>((resolve, reject) => {
      const socket = new WebSocket(url, {
        headers: { authorization: `Bearer ${session.token}` },
        ca: session.ca,
        perMessageDeflate: false,
        maxPayload: MAX_PAYLOAD_BYTES,
        handshakeTimeout: 30_000,
        generateMask,
      });
      ws = socket;
      let settled = false;
      const failed = (reason: string, stop: boolean) => {
        if (settled) return;
        settled = true;
        current = undefined;
        if (stop) final(reason);
        else say.err(`warren: ${reason}`);
        reject(new Error(reason));
      };
      const mux = new StreamMux(
        {
          sendBinary: (...parts) => sendFragments(socket, parts),
          sendText: (text) => socket.send(text),
          fail: (reason) => socket.close(CLOSE.protocol, reason.slice(0, 120)),
        },
        accept,
      );
      let opened = false;
      socket.on("open", () => {
        settled = opened = true;
        resolve(mux);
      });
      socket.on("message", (data: Buffer, isBinary) => mux.receive(data, isBinary));
      socket.on("unexpected-response", (request, response) => {
        void refusalText(response).then((reason) => {
          request.destroy();
          failed(reason, FINAL_STATUSES.has(response.statusCode ?? 0));
        });
      });
      socket.on("error", (error) => {
        failed(unreachable(url.origin.replace(/^ws/, "http"), error), false);
      });
      socket.on("close", (code, reasonBuffer) => {
        if (ws === socket) current = undefined;
        const reason = reasonBuffer.toString() || `Warren closed the connection (${code})`;
        mux.resetAll(reason);
        if (code === CLOSE.revoked) final(reason);
        else if (code !== CLOSE.done && opened) dropped?.(reason);
      });
    });
  return {
    get: () => {
      current ??= open();
      return current;
    },
    close: () => ws?.close(CLOSE.done),
  };
}

/**
 * A local socket as a stream's end: bytes, FIN and RST both ways, the socket paused while the stream's window
 * is full and Warren credited what was written out. `start` once the stream exists (connect: opened here;
 * expose: given by Warren).
 */
export function socketEnd(socket: net.Socket, from: string, verbose: boolean, say: Say): { end: StreamEnd; start(stream: MuxStream): void } {
  const log = (line: string) => verbose && say.err(`${from}: ${line}`);
  let stream: MuxStream | undefined;
  let sent = 0;
  let received = 0;
  const end: StreamEnd = {
    write: (payload) => {
      received += payload.length;
      socket.write(payload, (error) => {
        if (!error) stream?.taken(payload.length);
      });
    },
    end: () => socket.end(),
    reset: (reason, sessionOver) => {
      if (!sessionOver) say.err(`warren: ${from}: ${reason}`);
      socket.resetAndDestroy();
    },
    close: () => {
      log(`closed (${sent} bytes sent, ${received} received)`);
      socket.destroySoon();
    },
    acknowledged: () => {
      if (socket.isPaused() && !stream?.full) socket.resume();
    },
  };
  const start = (opened: MuxStream) => {
    stream = opened;
    log("connected");
    socket.on("data", (chunk: Buffer) => {
      sent += chunk.length;
      if (!opened.send(chunk)) socket.pause();
    });
    socket.on("end", () => opened.end());
    socket.on("error", (error: NodeJS.ErrnoException) => {
      log(`reset here (${error.code ?? error.message})`);
      opened.reset(`the connection on the laptop was reset (${error.code ?? error.message})`);
    });
    socket.resume();
  };
  return { end, start };
}
