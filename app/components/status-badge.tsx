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

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ${STYLES[status]}`} data-testid="status-badge">
      {status.replace("_", " ")}
    </span>
  );
}
