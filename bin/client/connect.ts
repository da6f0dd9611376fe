// `warren connect TUNNEL`: listens on this machine and carries each accepted
// connection as a stream of one WebSocket to Warren's
// /api/v1/tunnels/:id/connect (lib/connect/stream-mux.ts), where Warren opens
// it through the tunnel (a dynamic tunnel: the bytes are SOCKS, which Warren
// answers and checks). The WebSocket opens when the first connection needs
// it, and again after it ends. A FIN travels as an end frame and an RST as a
// reset, both ways. Backpressure: a socket stops being read while its stream's
// window is full, and Warren is credited only what was written to the socket.
import net from "node:net";
import { WebSocket } from "ws";
import { CLOSE, MAX_PAYLOAD_BYTES } from "@/lib/connect/connect-frames";
import { hostTarget } from "@/lib/tunnels/tunnel-spec";
import { type MuxStream, type StreamEnd, StreamMux, sendFragments } from "@/lib/connect/stream-mux";
import { ClientError, usageError } from "./client-error";
import type { Env } from "./credentials";
import { rememberedPort, rememberPort } from "./remembered-ports";
import { findTunnel, type TunnelView } from "./tunnel-ref";
import { apiErrorText, type Session, unreachable } from "./warren-api";

export type ConnectOptions = { port?: string; bind?: string; verbose: boolean };
type Say = { out(line: string): void; err(line: string): void };

/** Answers that mean this tunnel cannot be used from here any more: the client stops. */
const FINAL_STATUSES = new Set([401, 403, 404, 409]);

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw usageError(`--port: '${text}' is not a port (1-65535)`);
  return port;
}

function connectUrl(session: Session, tunnelId: string): URL {
  const url = new URL(`api/v1/tunnels/${tunnelId}/connect`, session.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url;
}

function listen(server: net.Server, port: number, host: string, remembered: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "is in use on this machine" : `cannot be listened on (${error.code ?? error.message})`;
      reject(new ClientError(`${host}:${port} ${why}${remembered ? " (the port remembered for this tunnel): give another with --port" : ""}`));
    });
    server.listen({ port, host }, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function whatItReaches(tunnel: TunnelView): string {
  return tunnel.kind === "dynamic"
    ? `a SOCKS5 proxy to what ${tunnel.host.name} allows`
    : `${hostTarget(tunnel.target)?.host}:${hostTarget(tunnel.target)?.port} through ${tunnel.host.name}`;
}

/** Runs until interrupted (resolves) or until Warren ends this tunnel's use from here (rejects, exit 1). */
export async function connect(session: Session, ref: string, options: ConnectOptions, env: Env, say: Say): Promise<void> {
  const tunnel = await findTunnel(session, ref);
  if (tunnel.kind === "remote") throw new ClientError(`tunnel ${tunnel.id} is a remote tunnel: connect carries local and dynamic tunnels`);
  if (!["active", "starting", "reconnecting"].includes(tunnel.status)) throw new ClientError(`tunnel ${tunnel.id} is ${tunnel.status}`);
  const asked = portOf(options.port);
  const remembered = asked === undefined ? rememberedPort(env, session.url, tunnel.id) : undefined;
  const host = options.bind ?? "127.0.0.1";
  const sockets = new Set<net.Socket>();
  let stop: (error?: ClientError) => void = () => {};
  const stopped = new Promise<void>((resolve, reject) => {
    stop = (error) => (error ? reject(error) : resolve());
  });
  const link = linker(connectUrl(session, tunnel.id), session, say, (reason) => stop(new ClientError(reason)));
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // until carried
    link.get().then(
      (mux) => carry(socket, mux, options.verbose, say),
      () => socket.resetAndDestroy(),
    );
  });
  const port = await listen(server, asked ?? remembered ?? 0, host, remembered !== undefined);
  if (asked === undefined) rememberPort(env, session.url, tunnel.id, port);
  say.out(`listening on ${host.includes(":") ? `[${host}]` : host}:${port}: ${whatItReaches(tunnel)} (tunnel ${tunnel.id}); Ctrl-C to stop`);
  const interrupted = () => stop();
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    await stopped;
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    server.close();
    for (const socket of sockets) socket.resetAndDestroy();
    link.close();
  }
}

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

/**
 * The one WebSocket to Warren, opened when a connection needs it. A refusal that means this tunnel cannot be
 * used from here (or access ending later) is `final`: the client stops. Any other failure is printed, and the
 * next connection tries again.
 */
function linker(url: URL, session: Session, say: Say, final: (reason: string) => void) {
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
      const mux = new StreamMux({
        sendBinary: (...parts) => sendFragments(socket, parts),
        sendText: (text) => socket.send(text),
        fail: (reason) => socket.close(CLOSE.protocol, reason.slice(0, 120)),
      });
      socket.on("open", () => {
        settled = true;
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
        else if (code !== CLOSE.done && mux.size > 0) say.err(`warren: ${reason}; new connections reconnect`);
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

/** Carries one accepted connection as a stream of the session. */
function carry(socket: net.Socket, mux: StreamMux, verbose: boolean, say: Say) {
  const from = `${socket.remoteAddress}:${socket.remotePort}`;
  const log = (line: string) => verbose && say.err(`${from}: ${line}`);
  let sent = 0;
  let received = 0;
  const end: StreamEnd = {
    write: (payload) => {
      received += payload.length;
      socket.write(payload, (error) => {
        if (!error) stream.taken(payload.length);
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
      if (socket.isPaused() && !stream.full) socket.resume();
    },
  };
  const stream: MuxStream = mux.open(end);
  log("connected");
  socket.on("data", (chunk: Buffer) => {
    sent += chunk.length;
    if (!stream.send(chunk)) socket.pause();
  });
  socket.on("end", () => stream.end());
  socket.on("error", (error: NodeJS.ErrnoException) => {
    log(`reset here (${error.code ?? error.message})`);
    stream.reset(`the connection on the laptop was reset (${error.code ?? error.message})`);
  });
  socket.resume();
}
