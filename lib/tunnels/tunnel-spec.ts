import type { Tunnel } from "@/lib/generated/prisma/client";
import type { TunnelKind } from "@/lib/validation/common";

/** What a tunnel is, as it was asked for: the kind, where it listens, where it leads and who may connect. */
export type TunnelSpec = {
  kind: TunnelKind;
  /** null: no port on the bastion (a local or dynamic tunnel used through `warren connect`). */
  listen: { address: string; port: number } | null;
  target: { host: string; port: number } | null;
  allowedSources: string[];
};

type SpecColumns = Pick<Tunnel, "kind" | "listenAddress" | "listenPort" | "targetHost" | "targetPort" | "allowedSources">;

/** A stored tunnel's spec; its allowed sources are stored as a JSON list, written only from a parsed request. */
export function tunnelSpec(row: SpecColumns): TunnelSpec {
  return {
    kind: row.kind,
    listen: row.listenAddress !== null && row.listenPort !== null ? { address: row.listenAddress, port: row.listenPort } : null,
    target: row.targetHost && row.targetPort ? { host: row.targetHost, port: row.targetPort } : null,
    allowedSources: JSON.parse(row.allowedSources) as string[],
  };
}
