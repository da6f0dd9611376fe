// What the Tunnels table shows: the tunnels a status filter and a search
// keep, in the order a sortable column asks for. Pure, so the page stays thin.
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";

/** Each status filter and the statuses it keeps. */
export const STATUS_FILTERS = {
  active: ["active"],
  reconnecting: ["reconnecting"],
  failed: ["failed"],
  waiting: ["pending_approval"],
  starting: ["starting"],
  ended: ["closed", "expired", "denied"],
} satisfies Record<string, TunnelStatus[]>;
export type StatusFilter = keyof typeof STATUS_FILTERS | "all";

/** The filters the summary strip counts. */
export const SUMMARY_FILTERS = ["active", "reconnecting", "failed", "waiting"] as const;

type Listed = Pick<TunnelDto, "status" | "name" | "kind" | "listen" | "target" | "host" | "ownerEmail" | "expiresAt">;

export const matchesStatus = (tunnel: Pick<TunnelDto, "status">, filter: StatusFilter) =>
  filter === "all" || (STATUS_FILTERS[filter] as TunnelStatus[]).includes(tunnel.status);

/** Whether every word of `query` is in the tunnel's name, endpoint, host or owner (any case). */
export function matchesSearch(tunnel: Listed, query: string): boolean {
  const text = [tunnel.name ?? "", tunnelEndpoint(tunnel), tunnel.host.name, tunnel.ownerEmail].join(" ").toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

export type SortKey = "status" | "host" | "rate" | "expiry";
export type Sort = { key: SortKey; direction: "ascending" | "descending" };

/** Statuses by how much they ask for attention, for sorting. */
const STATUS_ORDER: TunnelStatus[] = ["failed", "reconnecting", "pending_approval", "requested", "starting", "active", "denied", "expired", "closed"];

/** `tunnels` in `sort`'s order (ties keep their order); `rateOf` is a tunnel's live bytes per second. */
export function sortTunnels<T extends Listed & { id: string }>(tunnels: T[], sort: Sort | null, rateOf: (tunnel: T) => number): T[] {
  if (!sort) return tunnels;
  const value = (tunnel: T): number | string => {
    switch (sort.key) {
      case "status":
        return STATUS_ORDER.indexOf(tunnel.status);
      case "host":
        return tunnel.host.name;
      case "rate":
        return rateOf(tunnel);
      case "expiry":
        return Date.parse(tunnel.expiresAt);
    }
  };
  const sign = sort.direction === "ascending" ? 1 : -1;
  return [...tunnels].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    return sign * (typeof x === "string" ? x.localeCompare(y as string) : x - (y as number));
  });
}
