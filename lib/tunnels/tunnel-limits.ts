// How many tunnels one user may hold, so that nobody squats ports: per host
// (its policy: open tunnels, and requests waiting for approval) and across
// all hosts (WARREN_MAX_TUNNELS_PER_USER). Admins are not limited: they set
// the limits. Counted in the transaction that adds the tunnel, so requests
// sent at once cannot all slip under the limit.
import { ApiError } from "@/lib/api/api-error";
import { getConfig } from "@/lib/config";
import type { Prisma } from "@/lib/generated/prisma/client";
import { OPEN_STATUSES, RESERVING_STATUSES } from "@/lib/tunnels/tunnel-status";
import type { HostPolicy } from "@/lib/validation/host-policy";

/** `who`: the owner as the message names them ("you" when they ask themselves). */
type Limited = { ownerId: string; who?: string; host: { id: string; name: string }; policy: HostPolicy; pending: boolean };

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Refuses one more tunnel (or request, `pending`) for `ownerId` beyond the limits. */
export async function assertWithinLimits(tx: Prisma.TransactionClient, limited: Limited) {
  await assertHostLimit(tx, limited);
  await assertBelowCeiling(tx, limited.ownerId);
}

/** The host's own limit; an approved request already counts towards the ceiling. */
export async function assertHostLimit(tx: Prisma.TransactionClient, { ownerId, who = "you", host, policy, pending }: Limited) {
  const onHost = await tx.tunnel.count({ where: { ownerId, hostId: host.id, status: pending ? "pending_approval" : { in: OPEN_STATUSES } } });
  const hostLimit = pending ? policy.maxPendingPerUser : policy.maxOpenPerUser;
  if (onHost >= hostLimit) {
    const held = pending ? `${plural(onHost, "request")} waiting for approval` : plural(onHost, "open tunnel");
    const free = pending ? "withdraw one or wait for a decision" : "close one first";
    throw new ApiError({
      code: "forbidden",
      field: "hostId",
      message: `${who} already ${who === "you" ? "have" : "has"} ${held} on ${host.name}, as many as its policy allows: ${free}`,
    });
  }
}

/** Across all hosts: open tunnels and requests waiting for approval together. */
async function assertBelowCeiling(tx: Prisma.TransactionClient, ownerId: string) {
  const ceiling = getConfig().maxTunnelsPerUser;
  const everywhere = await tx.tunnel.count({ where: { ownerId, status: { in: RESERVING_STATUSES } } });
  if (everywhere >= ceiling) {
    throw new ApiError({
      code: "forbidden",
      message: `you already have ${ceiling} open tunnels and requests across all hosts, as many as Warren allows one person (WARREN_MAX_TUNNELS_PER_USER): close one first`,
    });
  }
}
