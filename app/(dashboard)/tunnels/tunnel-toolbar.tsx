import { STATUS_FILTERS, type StatusFilter } from "@/lib/tunnels/tunnel-filter";

const INPUT = "rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

type Props = { query: string; onQuery: (query: string) => void; filter: StatusFilter; onFilter: (filter: StatusFilter) => void };

/** Search (name, endpoint, host, owner) and a status filter for the Tunnels table. */
export function TunnelToolbar({ query, onQuery, filter, onFilter }: Props) {
  return (
    <search aria-label="Tunnels" className="flex flex-wrap items-end gap-3">
      <label className="flex flex-col gap-1 text-sm font-medium">
        Search tunnels
        <input type="search" value={query} onChange={(event) => onQuery(event.target.value)} placeholder="name, endpoint, host, owner" className={INPUT} />
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Status
        <select value={filter} onChange={(event) => onFilter(event.target.value as StatusFilter)} className={INPUT}>
          <option value="all">all</option>
          {Object.keys(STATUS_FILTERS).map((key) => (
            <option key={key} value={key}>
              {key}
            </option>
          ))}
        </select>
      </label>
    </search>
  );
}
