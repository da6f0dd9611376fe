// `warren connect TUNNEL`: listens on this machine and carries each accepted
// connection over a WebSocket of its own to Warren's
// /api/v1/tunnels/:id/connect, where Warren opens it through the tunnel (a
// dynamic tunnel: the bytes are SOCKS, which Warren answers and checks).
// TCP's ends travel as frames (lib/connect/connect-frames.ts): a FIN as the
// end frame, an RST as a reset close, both ways. Backpressure: the socket
// stops being read while RELAY_WINDOW_BYTES sent are not yet written out,
// and the WebSocket while the socket's buffer is full.
import net from "node:net";
import { WebSocket } from "ws";
import { CLOSE, closeReason, END_FRAME, MAX_FRAME_BYTES, MAX_PAYLOAD_BYTES, parseControl, RELAY_WINDOW_BYTES } from "@/lib/connect/connect-frames";
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
    : `${tunnel.target!.host}:${tunnel.target!.port} through ${tunnel.host.name}`;
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
  const websockets = new Set<WebSocket>();
  let stop: (error?: ClientError) => void = () => {};
  const stopped = new Promise<void>((resolve, reject) => {
    stop = (error) => (error ? reject(error) : resolve());
  });
  const relay = relayer(connectUrl(session, tunnel.id), session, options.verbose, say, websockets, (reason) => stop(new ClientError(reason)));
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    relay(socket);
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
    for (const ws of websockets) ws.terminate();
  }
}

/** Carries one accepted connection; `final` is told when Warren says this tunnel is over for us. */
function relayer(url: URL, session: Session, verbose: boolean, say: Say, websockets: Set<WebSocket>, final: (reason: string) => void) {
  return (socket: net.Socket) => {
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${session.token}` },
      ca: session.ca,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD_BYTES,
      handshakeTimeout: 30_000,
    });
    websockets.add(ws);
    let unsent = 0; // bytes handed to the WebSocket and not yet written out
    let ended = false; // this side's FIN, to send once open
    let sent = 0;
    let received = 0;
    const log = (line: string) => verbose && say.err(`${from}: ${line}`);

    const toWarren = (chunk: Buffer) => {
      sent += chunk.length;
      for (let at = 0; at < chunk.length; at += MAX_FRAME_BYTES) {
        const frame = chunk.subarray(at, at + MAX_FRAME_BYTES);
        unsent += frame.length;
        ws.send(frame, { binary: true }, () => {
          unsent -= frame.length;
          if (unsent <= RELAY_WINDOW_BYTES && socket.isPaused() && ws.readyState === ws.OPEN) socket.resume();
        });
      }
      if (unsent > RELAY_WINDOW_BYTES) socket.pause();
    };
    socket.on("data", toWarren);
    socket.on("end", () => {
      ended = true;
      if (ws.readyState === ws.OPEN) ws.send(END_FRAME);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      log(`reset here (${error.code ?? error.message})`);
      if (ws.readyState === ws.OPEN) ws.close(CLOSE.reset, closeReason(`the connection on the laptop was reset (${error.code ?? error.message})`));
      else ws.terminate();
    });
    socket.on("drain", () => ws.resume());

    ws.on("open", () => {
      log("connected");
      if (ended) ws.send(END_FRAME);
      socket.resume();
    });
    ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) {
        if (parseControl(data.toString())?.type === "end") socket.end();
        return;
      }
      received += data.length;
      if (!socket.write(data)) ws.pause();
    });
    ws.on("unexpected-response", (request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        let body: unknown = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          // not Warren's JSON: the status says it
        }
        const reason = apiErrorText(response.statusCode ?? 0, body);
        socket.resetAndDestroy();
        request.destroy();
        if (FINAL_STATUSES.has(response.statusCode ?? 0)) final(reason);
        else say.err(`warren: ${from}: ${reason}`);
      });
    });
    ws.on("error", (error) => {
      if (ws.readyState !== ws.OPEN) say.err(`warren: ${from}: ${unreachable(url.origin.replace(/^ws/, "http"), error)}`);
      socket.resetAndDestroy();
    });
    ws.on("close", (code, reasonBuffer) => {
      websockets.delete(ws);
      const reason = reasonBuffer.toString();
      if (code === CLOSE.done) {
        log(`closed (${sent} bytes sent, ${received} received)`);
        return void socket.destroySoon();
      }
      if (code === CLOSE.revoked) {
        socket.resetAndDestroy();
        return final(reason || "Warren ended this tunnel's use");
      }
      log(`reset${reason ? `: ${reason}` : ""} (${sent} bytes sent, ${received} received)`);
      if (!socket.destroyed) socket.resetAndDestroy();
    });
  };
}
