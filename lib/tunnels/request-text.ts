// How a request waiting for approval reads, on the list and on the detail page.
import { formatDuration } from "@/lib/format";
import { isOpen } from "@/lib/tunnels/tunnel-status";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";

type Request = Pick<TunnelDto, "status" | "name" | "kind" | "listen" | "target" | "host" | "ownerEmail" | "ttlMinutes" | "extensionRequest" | "pendingUntil">;

/** Approval clears `pendingUntil`: a request never approved (waiting, denied, withdrawn, expired
 *  unanswered) has no traffic, connections or participants to show. A status event can say
 *  "open" before the reload that clears it. */
export const wasOpened = (tunnel: Pick<TunnelDto, "status" | "pendingUntil">) => tunnel.pendingUntil === null || isOpen(tunnel.status);

/** An open tunnel with an extension request waits on that; a pending one on being opened. */
export const isExtension = (tunnel: Pick<Request, "status" | "extensionRequest">) => tunnel.status !== "pending_approval" && tunnel.extensionRequest !== null;

const minutes = (count: number) => formatDuration(count * 60_000);

/** "ada@example.com asks to open a local tunnel 127.0.0.1:20001 → db:5432 through payments-db for 1 h." */
export function requestSummary(tunnel: Request): string {
  const what = `${tunnel.kind} tunnel ${tunnelEndpoint(tunnel)} through ${tunnel.host.name}`;
  return isExtension(tunnel)
    ? `${tunnel.ownerEmail} asks to keep the ${what} open for another ${minutes(tunnel.extensionRequest!.minutes)}.`
    : `${tunnel.ownerEmail} asks to open a ${what} for ${minutes(tunnel.ttlMinutes)}.`;
}

/** When an unanswered request expires. */
export function requestDeadline(tunnel: Request): string | null {
  return isExtension(tunnel) ? tunnel.extensionRequest!.until : tunnel.pendingUntil;
}

/** A moment as the viewer's clock shows it: "14:05" today, with the date otherwise. */
export function clockTime(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === new Date(now).toDateString();
  return sameDay ? at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : at.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}
