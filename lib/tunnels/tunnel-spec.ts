import type { Tunnel } from "@/lib/generated/prisma/client";
import type { TunnelKind } from "@/lib/validation/common";

/** What a tunnel is, as it was asked for: the kind, where it listens, where it leads and who may connect. */
export type TunnelSpec = {
  kind: TunnelKind;
  listen: { address: string; port: number };
  target: { host: string; port: number } | null;
  allowedSources: string[];
};

type SpecColumns = Pick<Tunnel, "kind" | "listenAddress" | "listenPort" | "targetHost" | "targetPort" | "allowedSources">;

/** A stored tunnel's spec; its allowed sources are stored as a JSON list, written only from a parsed request. */
export function tunnelSpec(row: SpecColumns): TunnelSpec {
  return {
    kind: row.kind,
    listen: { address: row.listenAddress, port: row.listenPort },
    target: row.targetHost && row.targetPort ? { host: row.targetHost, port: row.targetPort } : null,
    allowedSources: JSON.parse(row.allowedSources) as string[],
  };
}
