// `warren expose TUNNEL --to [HOST:]PORT`: holds a remote tunnel's far end on
// this machine. Each connection that arrives at the tunnel's port on the
// gateway comes over one WebSocket to Warren's /api/v1/tunnels/:id/expose as
// a stream Warren opens; this client dials --to for it (a service on this
// machine, or on a network only it reaches) and carries the bytes, FIN and
// RST both ways (tunnel-socket.ts). One client holds a tunnel at a time: a
// newer one takes over, and this one is told why and stops. When the
// WebSocket drops (Warren restarting, the network), it comes back by itself.
import net from "node:net";
import { ClientError, usageError } from "./client-error";
import { findTunnel } from "./tunnel-ref";
import { type Say, socketEnd, stopper, tunnelSocket } from "./tunnel-socket";
import type { Session } from "./warren-api";

export type ExposeOptions = { to?: string; verbose: boolean };

/** Waits between attempts to attach again, growing to the last. */
const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/** "8080", "localhost:8080", "192.168.1.20:80", "[::1]:8080" → where to dial (the host defaults to 127.0.0.1). */
function destination(text: string | undefined): { host: string; port: number } {
  if (!text) throw usageError("--to: is required: [HOST:]PORT of the service on this side, such as 8080 or 192.168.1.20:80");
  const match = /^(?:\[([^\]]+)\]:|([^:[\]]+):)?(\d+)$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw usageError(`--to: must be [HOST:]PORT, such as 8080 or 192.168.1.20:80, not '${text}'`);
  return { host: match[1] ?? match[2] ?? "127.0.0.1", port };
}

const hostPort = ({ host, port }: { host: string; port: number }) => `${host.includes(":") ? `[${host}]` : host}:${port}`;

/** Runs until interrupted (resolves) or until Warren ends this tunnel's use from here (rejects, exit 1). */
export async function expose(session: Session, ref: string, options: ExposeOptions, say: Say): Promise<void> {
  const to = destination(options.to);
  const tunnel = await findTunnel(session, ref);
  if (tunnel.kind !== "remote" || !tunnel.target || !("client" in tunnel.target)) {
    throw new ClientError(`tunnel ${tunnel.id} does not lead to your computer: request one with \`open remote --host NAME --listen PORT --to-client\``);
  }
  if (!["active", "starting", "reconnecting"].includes(tunnel.status)) throw new ClientError(`tunnel ${tunnel.id} is ${tunnel.status}`);
  const sockets = new Set<net.Socket>();
  const { stop, until } = stopper();
  let attempt = 0;
  let retry: NodeJS.Timeout | undefined;
  const link = tunnelSocket({
    session,
    tunnelId: tunnel.id,
    purpose: "expose",
    say,
    final: (reason) => stop(new ClientError(reason)),
    accept: (stream) => {
      const socket = net.connect({ host: to.host, port: to.port, allowHalfOpen: true });
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      const local = socketEnd(socket, `stream ${stream.id} → ${hostPort(to)}`, options.verbose, say);
      let connected = false;
      socket.pause();
      socket.once("connect", () => {
        connected = true;
        local.start(stream);
      });
      // Before it connects, a failure is this side's refusal: Warren resets the gateway's connection, with why.
      socket.once("error", (error: NodeJS.ErrnoException) => {
        if (connected) return;
        say.err(`warren: ${hostPort(to)} refused a connection from the gateway (${error.code ?? error.message})`);
        stream.reset(`${hostPort(to)} cannot be reached from the laptop (${error.code ?? error.message})`);
      });
      return local.end;
    },
    dropped: (reason) => {
      say.err(`warren: ${reason}; attaching again`);
      attach();
    },
  });
  const attach = () => {
    clearTimeout(retry);
    link.get().then(
      () => {
        attempt = 0;
        say.out(`attached: connections to ${tunnel.listen?.address}:${tunnel.listen?.port} on ${tunnel.host.name} reach ${hostPort(to)}; Ctrl-C to stop`);
      },
      () => {
        const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!;
        attempt += 1;
        retry = setTimeout(attach, wait);
      },
    );
  };
  attach();
  await until(() => {
    clearTimeout(retry);
    for (const socket of sockets) socket.resetAndDestroy();
    link.close();
  });
}
