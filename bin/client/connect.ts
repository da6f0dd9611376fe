// `warren connect TUNNEL`: listens on this machine and carries each accepted
// connection as a stream of one WebSocket to Warren's
// /api/v1/tunnels/:id/connect (lib/connect/stream-mux.ts), where Warren opens
// it through the tunnel (a dynamic tunnel: the bytes are SOCKS, which Warren
// answers and checks). The WebSocket opens when the first connection needs
// it, and again after it ends. A FIN travels as an end frame and an RST as a
// reset, both ways. Backpressure: a socket stops being read while its stream's
// window is full, and Warren is credited only what was written to the socket.
import net from "node:net";
import { hostTarget } from "@/lib/tunnels/tunnel-spec";
import { ClientError, usageError } from "./client-error";
import type { Env } from "./credentials";
import { rememberedPort, rememberPort } from "./remembered-ports";
import { findTunnel, type TunnelView } from "./tunnel-ref";
import { type Say, socketEnd, stopper, tunnelSocket } from "./tunnel-socket";
import type { Session } from "./warren-api";

export type ConnectOptions = { port?: string; bind?: string; verbose: boolean };

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw usageError(`--port: '${text}' is not a port (1-65535)`);
  return port;
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
  const { stop, until } = stopper();
  const link = tunnelSocket({
    session,
    tunnelId: tunnel.id,
    purpose: "connect",
    say,
    final: (reason) => stop(new ClientError(reason)),
    dropped: (reason) => say.err(`warren: ${reason}; new connections reconnect`),
  });
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // until carried
    link.get().then(
      (mux) => {
        const local = socketEnd(socket, `${socket.remoteAddress}:${socket.remotePort}`, options.verbose, say);
        local.start(mux.open(local.end));
      },
      () => socket.resetAndDestroy(),
    );
  });
  const port = await listen(server, asked ?? remembered ?? 0, host, remembered !== undefined);
  if (asked === undefined) rememberPort(env, session.url, tunnel.id, port);
  say.out(`listening on ${host.includes(":") ? `[${host}]` : host}:${port}: ${whatItReaches(tunnel)} (tunnel ${tunnel.id}); Ctrl-C to stop`);
  await until(() => {
    server.close();
    for (const socket of sockets) socket.resetAndDestroy();
    link.close();
  });
}
