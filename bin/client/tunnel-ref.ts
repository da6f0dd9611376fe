// A tunnel as the client shows it, and finding one by what the person typed.
import type { serializeTunnel } from "@/lib/tunnels/tunnels";
import { TUNNEL_NAME } from "@/lib/validation/common";
import { ClientError } from "./client-error";
import { apiErrorText, callApi, requestJson, type Session } from "./warren-api";

export type TunnelView = ReturnType<typeof serializeTunnel>;

/** The tunnel `ref` names: its id, else the person's own open tunnel of that name. */
export async function findTunnel(session: Session, ref: string): Promise<TunnelView> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(ref)) throw new ClientError(`'${ref}' is not a tunnel id or name`, 2);
  const byId = await requestJson<TunnelView>(session, "GET", `tunnels/${ref}`);
  if (byId.status < 400) return byId.body;
  if (byId.status !== 404 || !TUNNEL_NAME.test(ref)) throw new ClientError(apiErrorText(byId.status, byId.body));
  const { tunnels } = await callApi<{ tunnels: TunnelView[] }>(session, "GET", `tunnels?name=${encodeURIComponent(ref)}`);
  const named = tunnels[0];
  if (!named) throw new ClientError(`no tunnel with id ${ref}, and no open tunnel of yours named ${ref}`);
  return named;
}

/** How the person names it in later commands: its name if it has one. */
export const tunnelRef = (tunnel: Pick<TunnelView, "id" | "name">) => tunnel.name ?? tunnel.id;

/** One line: id (and name), kind, status, where it goes, through which host, where it listens, whose. */
export function tunnelLine(tunnel: TunnelView): string {
  const to = !tunnel.target ? "any allowed target" : "client" in tunnel.target ? "your computer (expose)" : `${tunnel.target.host}:${tunnel.target.port}`;
  const at = tunnel.listen ? `bastion port ${tunnel.listen.address}:${tunnel.listen.port}` : "no bastion port";
  return [tunnel.name ? `${tunnel.id} (${tunnel.name})` : tunnel.id, tunnel.kind, tunnel.status, `${to} via ${tunnel.host.name}`, at, tunnel.ownerEmail].join(
    "  ",
  );
}
