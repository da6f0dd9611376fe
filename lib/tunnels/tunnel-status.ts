import type { TunnelStatus } from "@/lib/generated/prisma/enums";

/** Statuses in which a tunnel holds (or is trying to hold) its port. */
export const OPEN_STATUSES: TunnelStatus[] = ["starting", "active", "reconnecting"];

/** Open, or waiting for approval: tunnels still in play (a pending request holds no port, see assertPortFree). */
export const RESERVING_STATUSES: TunnelStatus[] = [...OPEN_STATUSES, "pending_approval"];

export const isOpen = (status: TunnelStatus) => OPEN_STATUSES.includes(status);

/** A request waits on this tunnel: to open it, or to extend it. */
export const awaitsDecision = (tunnel: { status: TunnelStatus; extensionMinutes: number | null }) =>
  tunnel.status === "pending_approval" || (tunnel.extensionMinutes !== null && isOpen(tunnel.status));

/** Statuses of a tunnel that is over: it can be reopened as a new one. */
export const ENDED_STATUSES: TunnelStatus[] = ["closed", "failed", "expired", "denied"];

export const isEnded = (status: TunnelStatus) => ENDED_STATUSES.includes(status);
