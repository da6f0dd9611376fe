import type { TunnelStatus } from "@/lib/generated/prisma/enums";

/** Statuses in which a tunnel holds (or is trying to hold) its port. */
export const OPEN_STATUSES: TunnelStatus[] = ["starting", "active", "reconnecting"];

export const isOpen = (status: TunnelStatus) => OPEN_STATUSES.includes(status);
