// "How do I use it?" for a tunnel, in one sentence and one example command.
import { isLoopback, isWildcard } from "@/lib/tunnels/tunnel-rules";
import type { TunnelDto } from "@/lib/tunnels/tunnels";

type Hint = { sentence: string; example: string };

const hostPort = (address: string, port: number) => `${address.includes(":") ? `[${address}]` : address}:${port}`;
const targetText = (target: NonNullable<TunnelDto["target"]>) => ("client" in target ? "your computer (warren expose)" : hostPort(target.host, target.port));

/** "db: 127.0.0.1:20001 → db.internal:5432": its name, then the new port on the left, as in `ssh -L`;
 *  "connect → …" when there is no port on the bastion. */
export function tunnelEndpoint(tunnel: Pick<TunnelDto, "kind" | "listen" | "target" | "name">): string {
  const listen = tunnel.listen ? hostPort(tunnel.listen.address, tunnel.listen.port) : "warren connect";
  const route = tunnel.kind === "dynamic" || !tunnel.target ? `${listen} → SOCKS` : `${listen} → ${targetText(tunnel.target)}`;
  return tunnel.name ? `${tunnel.name}: ${route}` : route;
}

/** The two lines that fetch Warren's client and run it for this tunnel (its name if it has one): `connect`, or
 *  `expose` for a remote tunnel to the owner's computer (PORT: the service's, which only they know). */
export function laptopLines(tunnel: Pick<TunnelDto, "id" | "name" | "target">, publicUrl: string): { fetch: string; run: string } {
  const ref = tunnel.name ?? tunnel.id;
  const toClient = tunnel.target && "client" in tunnel.target;
  return {
    fetch: `curl -fsSO ${publicUrl.replace(/\/+$/, "")}/cli/warren.mjs`,
    run: toClient ? `node warren.mjs expose ${ref} --to PORT` : `node warren.mjs connect ${ref}`,
  };
}

export function usageHint(tunnel: Pick<TunnelDto, "kind" | "listen" | "target" | "host">): Hint | null {
  if (!tunnel.listen) return null;
  const listen = hostPort(tunnel.listen.address, tunnel.listen.port);
  const target = tunnel.target ? targetText(tunnel.target) : "";
  switch (tunnel.kind) {
    case "local":
      return {
        sentence: `Point your client at ${listen} on the bastion; each connection reaches ${target} as seen from ${tunnel.host.name}.`,
        example: `nc -v ${tunnel.listen.address} ${tunnel.listen.port}`,
      };
    case "dynamic":
      return {
        sentence: `Set your SOCKS5 proxy to ${listen} on the bastion; each connection goes out through ${tunnel.host.name}.`,
        example: `curl --socks5-hostname ${listen} http://intranet.example/`,
      };
    case "remote": {
      const { name, address } = tunnel.host;
      const reaches = tunnel.target && "client" in tunnel.target ? "the service your warren expose client points at" : `${target} as seen from the bastion`;
      const bound = tunnel.listen.address;
      if (isLoopback(bound)) {
        return {
          sentence: `Connect to ${listen} from a program on ${name} itself: the port is on its loopback only. Each connection reaches ${reaches}.`,
          example: `nc -v ${bound} ${tunnel.listen.port}   # run on ${name}`,
        };
      }
      // A wildcard listener is reached at the host's own address (which `name`, Warren's label for it, is not).
      const dial = isWildcard(bound) ? (address ?? name) : bound;
      return {
        sentence: `Connect to ${hostPort(dial, tunnel.listen.port)} on ${name}; each connection reaches ${reaches}.`,
        example: `nc -v ${dial} ${tunnel.listen.port}`,
      };
    }
  }
}
