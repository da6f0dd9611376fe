import type { Tunnel } from "@/lib/generated/prisma/client";
import type { TunnelKind } from "@/lib/validation/common";

/** What a tunnel is, as it was asked for: the kind, where it listens, where it leads and who may connect. */
export type TunnelSpec = {
  kind: TunnelKind;
  /** null: no port on the bastion (a local or dynamic tunnel used through `warren connect`). */
  listen: { address: string; port: number } | null;
  /** `client`: a remote tunnel whose far end is its owner's computer, held by `warren expose`. */
  target: HostTarget | { client: true } | null;
  allowedSources: string[];
};

export type HostTarget = { host: string; port: number };

/** The host and port a tunnel leads to, when it leads to one (not to a dynamic tunnel's SOCKS clients, nor to `warren expose`). */
export function hostTarget(target: TunnelSpec["target"] | undefined): HostTarget | null {
  return target && "host" in target ? target : null;
}

type SpecColumns = Pick<Tunnel, "kind" | "listenAddress" | "listenPort" | "targetHost" | "targetPort" | "targetClient" | "allowedSources">;

/** A stored tunnel's spec; its allowed sources are stored as a JSON list, written only from a parsed request. */
export function tunnelSpec(row: SpecColumns): TunnelSpec {
  return {
    kind: row.kind,
    listen: row.listenAddress !== null && row.listenPort !== null ? { address: row.listenAddress, port: row.listenPort } : null,
    target: row.targetClient ? { client: true } : row.targetHost && row.targetPort ? { host: row.targetHost, port: row.targetPort } : null,
    allowedSources: JSON.parse(row.allowedSources) as string[],
  };
}
