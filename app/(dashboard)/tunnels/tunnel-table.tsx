import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import type { ReactNode } from "react";
import type { Sort, SortKey } from "@/lib/tunnels/tunnel-filter";
import type { TunnelDto } from "@/lib/tunnels/tunnels";

type Column = { label: string; sort?: SortKey };

const COLUMNS: Column[] = [
  { label: "Status", sort: "status" },
  { label: "Tunnel" },
  { label: "Kind" },
  { label: "Host", sort: "host" },
  { label: "Owner" },
  { label: "Rate", sort: "rate" },
  { label: "Totals" },
  { label: "Expiry", sort: "expiry" },
  { label: "Actions" },
];

type Props = {
  /** The id of the heading that names the table. */
  labelledBy: string;
  tunnels: TunnelDto[];
  showOwner: boolean;
  sort: Sort | null;
  onSort: (key: SortKey) => void;
  row: (tunnel: TunnelDto) => ReactNode;
};

/** Tunnels, one row each, under sortable column headers; at phone width each row stacks its cells under their names. */
export function TunnelTable({ labelledBy, tunnels, showOwner, sort, onSort, row }: Props) {
  const columns = showOwner ? COLUMNS : COLUMNS.filter((column) => column.label !== "Owner");
  return (
    <table aria-labelledby={labelledBy} className="block w-full text-left text-sm md:table">
      <thead className="hidden border-b border-zinc-300 md:table-header-group dark:border-zinc-700">
        <tr>
          {columns.map((column) => (
            <th
              key={column.label}
              scope="col"
              aria-sort={column.sort ? (sort?.key === column.sort ? sort.direction : "none") : undefined}
              className="px-3 py-2 font-semibold whitespace-nowrap"
            >
              {column.sort ? (
                <SortButton column={column.label} active={sort?.key === column.sort ? sort.direction : null} onClick={() => onSort(column.sort!)} />
              ) : (
                column.label
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="block md:table-row-group">{tunnels.map(row)}</tbody>
    </table>
  );
}

function SortButton({ column, active, onClick }: { column: string; active: Sort["direction"] | null; onClick: () => void }) {
  const Icon = active === "ascending" ? ArrowUp : active === "descending" ? ArrowDown : ArrowUpDown;
  return (
    <button type="button" onClick={onClick} className="inline-flex items-center gap-1 rounded hover:underline">
      {column}
      <Icon aria-hidden className="size-3.5" />
    </button>
  );
}
