// The one writer of a tunnel's status. A change commits with its history
// entry, its audit records and whatever else it carries (a close's final
// counters, an approval's new expiry) in one transaction, then is told live
// once to whoever may hear of the tunnel. It is a compare-and-set on the
// status the caller expects to leave: of two writers acting on the same
// tunnel (a user and a sweep, two approvers, two processes), one acts and
// the other learns it lost.
import { tunnelStatusAction } from "@/lib/audit/audit-actions";
import { announceTunnelChange } from "@/lib/tunnels/announce-tunnel-change";
import { audited, type AuditInput } from "@/lib/audit/audit-log";
import { recheckLiveAccess } from "@/lib/tunnels/recheck-live-access";
import { noticeTunnelFailed } from "@/lib/notifications/tunnel-notices";
import type { Ctx } from "@/lib/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import { tunnelRooms } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import { raiseCounters, type StoredCounters } from "@/lib/tunnels/tunnel-counters";
import { isOpen } from "@/lib/tunnels/tunnel-status";

export type StatusChange = {
  tunnelId: string;
  /** The statuses it may leave; in any other, nothing changes. */
  from: TunnelStatus | readonly TunnelStatus[];
  to: TunnelStatus;
  reason: string | null;
  /** Other columns that change with it. */
  data?: Prisma.TunnelUpdateManyMutationInput;
  /** A closed tunnel's final counters. */
  counters?: StoredCounters;
  /** Records of the decision behind it (an approval), sealed before the status's own. */
  audit?: AuditInput[];
};

const changed = { ownerId: true, teamId: true, hostId: true, status: true, statusReason: true } as const;

/** Answers whether this call made the change: false when the tunnel is gone,
 *  in none of the `from` statuses, or already in `to` for the same reason. */
export async function setTunnelStatus(ctx: Ctx, change: StatusChange): Promise<boolean> {
  const { tunnelId, to, reason } = change;
  const from: readonly TunnelStatus[] = typeof change.from === "string" ? [change.from] : change.from;
  const at = new Date();
  const tunnel = await audited(ctx, async (tx) => {
    const current = await tx.tunnel.findUnique({ where: { id: tunnelId }, select: changed });
    if (!current || !from.includes(current.status) || (current.status === to && current.statusReason === reason)) return { result: null, audit: [] };
    const data = { ...change.data, status: to, statusReason: reason, ...(isOpen(to) ? {} : { closedAt: at }) };
    // The status read above is the one replaced: a writer that changed it meanwhile wins, this one does nothing.
    const { count } = await tx.tunnel.updateMany({ where: { id: tunnelId, status: current.status }, data });
    if (count !== 1) return { result: null, audit: [] };
    if (change.counters) await raiseCounters(tx, [[tunnelId, change.counters]]);
    await tx.tunnelEvent.create({ data: { tunnelId, status: to, reason, at } });
    const action = current.status !== to ? tunnelStatusAction(to) : undefined;
    const own = action ? [{ action, hostId: current.hostId, tunnelId, at, details: { reason, from: current.status } }] : [];
    return { result: current, audit: [...(change.audit ?? []), ...own] };
  });
  if (!tunnel) return false;
  await announceTunnelChange(tunnelId);
  publish(tunnelRooms(tunnel), "tunnel:status", { tunnelId, status: to, reason, at: at.toISOString() });
  if (!isOpen(to)) recheckLiveAccess(); // its `warren connect` connections end, with why
  if (to === "failed") await noticeTunnelFailed(tunnelId, reason);
  return true;
}
