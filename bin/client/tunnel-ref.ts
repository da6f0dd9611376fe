// A tunnel as the client shows it, and finding one by what the person typed.
import type { serializeTunnel } from "@/lib/tunnels/tunnels";
import { ClientError } from "./client-error";
import { callApi, type Session } from "./warren-api";

export type TunnelView = ReturnType<typeof serializeTunnel>;

/** The tunnel `ref` names (its id). */
export async function findTunnel(session: Session, ref: string): Promise<TunnelView> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(ref)) throw new ClientError(`'${ref}' is not a tunnel id`, 2);
  return callApi<TunnelView>(session, "GET", `tunnels/${ref}`);
}

/** One line: id, kind, status, where it goes, through which host, whose. */
export function tunnelLine(tunnel: TunnelView): string {
  const to = tunnel.target ? `${tunnel.target.host}:${tunnel.target.port}` : "any allowed target";
  return [tunnel.id, tunnel.kind, tunnel.status, `${to} via ${tunnel.host.name}`, tunnel.ownerEmail].join("  ");
}
