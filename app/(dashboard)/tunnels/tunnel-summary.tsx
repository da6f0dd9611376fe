import { matchesStatus, SUMMARY_FILTERS, type StatusFilter } from "@/lib/tunnels/tunnel-filter";
import type { TunnelDto } from "@/lib/tunnels/tunnels";

/** How many tunnels are active, reconnecting, failed or waiting; each count is a toggle that filters the table by it. */
export function TunnelSummary({ tunnels, filter, onFilter }: { tunnels: TunnelDto[]; filter: StatusFilter; onFilter: (filter: StatusFilter) => void }) {
  return (
    <fieldset className="flex flex-wrap gap-2">
      <legend className="sr-only">Tunnels by status</legend>
      {SUMMARY_FILTERS.map((key) => (
        <button
          key={key}
          type="button"
          aria-pressed={filter === key}
          onClick={() => onFilter(filter === key ? "all" : key)}
          className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 aria-pressed:border-brand-600 aria-pressed:bg-brand-50 dark:border-zinc-700 dark:hover:bg-zinc-800 dark:aria-pressed:border-brand-300 dark:aria-pressed:bg-zinc-800"
        >
          <span data-testid={`summary-${key}`} className="font-semibold tabular-nums">
            {tunnels.filter((tunnel) => matchesStatus(tunnel, key)).length}
          </span>{" "}
          {key}
        </button>
      ))}
    </fieldset>
  );
}
