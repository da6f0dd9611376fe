import type { TunnelStatusEvent } from "@/lib/realtime/events";

type Status = TunnelStatusEvent["status"];

const STYLES: Record<Status, string> = {
  active: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200",
  starting: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200",
  requested: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200",
  reconnecting: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200",
  pending_approval: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-200",
  denied: "bg-red-100 text-red-900 dark:bg-red-900/40 dark:text-red-200",
  closed: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
  expired: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
};

/** `degraded`: an active tunnel whose target fails its connections, shown amber rather than a calm green (lib/tunnels/tunnel-health.ts). */
export function StatusBadge({ status, degraded = false }: { status: Status; degraded?: boolean }) {
  const shown = degraded && status === "active";
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ${shown ? STYLES.reconnecting : STYLES[status]}`} data-testid="status-badge">
      {shown ? "degraded" : status.replace("_", " ")}
    </span>
  );
}
