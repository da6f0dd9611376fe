// Whether a live audit record belongs on a page filtered as `filters`:
// the browser's mirror of auditWhere(), so new records appear only where
// a reload would show them.
import type { AuditNewEvent } from "@/lib/realtime/events";

export type AuditFilters = Partial<Record<"actor" | "action" | "hostId" | "tunnelId" | "from" | "to" | "q", string>>;

export function matchesAuditFilters(event: AuditNewEvent, filters: AuditFilters): boolean {
  const { actor, action, hostId, tunnelId, from, to, q } = filters;
  if (actor && event.actorId !== actor && event.actorEmail !== actor.toLowerCase()) return false;
  if (action && !(action.endsWith("*") ? event.action.startsWith(action.slice(0, -1)) : event.action === action)) return false;
  if (hostId && event.hostId !== hostId) return false;
  if (tunnelId && event.tunnelId !== tunnelId) return false;
  const at = Date.parse(event.at);
  if (from && at < Date.parse(from)) return false;
  if (to && at >= Date.parse(to)) return false;
  if (q) {
    const haystack = [JSON.stringify(event.details), event.action, event.actorEmail ?? "", event.actorIp ?? ""];
    if (!haystack.some((text) => text.includes(q))) return false;
  }
  return true;
}
