// How many of a person's tunnels need their attention, for the badge on the
// nav's Tunnels link: those that failed and are still listed, and the open
// ones expiring within 10 minutes (those the tunnel.expiring notification
// warns of). Pure, for the server's first render and the browser's live count
// alike.

/** How close to its expiry an open tunnel is announced (a notification, the badge); one given no more than this is not. */
export const EXPIRY_WARNING_MINUTES = 10;
export const EXPIRY_WARNING_MS = EXPIRY_WARNING_MINUTES * 60_000;

/** `failed`: their tunnels that failed and are still on the default list; `openUntil`: when each of their open tunnels (given more
 *  than 10 minutes) expires. */
export type TunnelAttention = { failed: number; openUntil: string[] };

export const attentionCount = ({ failed, openUntil }: TunnelAttention, now: number) =>
  failed + openUntil.filter((at) => Date.parse(at) - now <= EXPIRY_WARNING_MS).length;
