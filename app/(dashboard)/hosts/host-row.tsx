"use client";

import { Activity, LoaderCircle, Pencil } from "lucide-react";
import { CELL } from "@/app/components/stacked-cell";
import { useToast } from "@/app/components/toast-provider";
import { apiFetch } from "@/app/lib/api-fetch";
import { assignmentText, type TeamOption } from "./assignment-fields";
import { HostDelete } from "./host-delete";
import { HostHealth } from "./host-health";
import { HostKeyCell } from "./host-key-state";
import { connectsAs, type HostView } from "./host-view";
import { ROW_BUTTON } from "./row-button";
import { useHostTest } from "./use-host-test";

type Props = {
  host: HostView;
  teams: TeamOption[];
  now: number;
  showNodes: boolean;
  /** Admins delete hosts; team owners test them and choose which of their teams see them. */
  canDelete: boolean;
  onEdit: () => void;
  /** Hears that the host was deleted, to announce it and move the focus its button had. */
  onDeleted: (message: string) => void;
};

/** One host in the table: who it is, how it is doing, its tunnels and key, and what the viewer may do with it. */
export function HostRow({ host, teams, now, showNodes, canDelete, onEdit, onDeleted }: Props) {
  const toast = useToast();
  const test = useHostTest(host, (message) => toast({ title: message }));

  async function remove() {
    await apiFetch(`/hosts/${encodeURIComponent(host.id)}`, { method: "DELETE" });
    onDeleted(`Deleted ${host.name}.`);
  }

  return (
    <tr data-testid="host-row" data-host-id={host.id} className="block border-b border-zinc-200 py-2 md:table-row md:py-0 dark:border-zinc-800">
      <th scope="row" className={`${CELL} text-left font-normal`} data-label="Name">
        <span className="block font-semibold break-all">{host.name}</span>
        <span className="block text-xs text-zinc-600 dark:text-zinc-400">for {assignmentText(host, teams)}</span>
      </th>
      <td className={`${CELL} md:min-w-48`} data-label="Connects as">
        <code className="font-mono text-sm break-all">{connectsAs(host)}</code>
      </td>
      <td className={`${CELL} md:max-w-xs md:min-w-52`} data-label="Health">
        <HostHealth host={host} test={test} now={now} showNodes={showNodes} />
      </td>
      <td className={CELL} data-label="Open tunnels">
        <span data-testid="open-tunnels" className={host.openTunnels === 0 ? "text-zinc-600 dark:text-zinc-400" : "font-medium"}>
          {host.openTunnels}
        </span>
      </td>
      <td className={CELL} data-label="Host key">
        <HostKeyCell host={host} />
      </td>
      {/* Wide enough for Test and Edit side by side; Delete (and why it cannot) goes under them. */}
      <td className={`${CELL} md:min-w-44`} data-label="Actions">
        <div className="flex flex-wrap items-start gap-2">
          <button type="button" onClick={() => void test.run()} aria-disabled={test.pending || undefined} className={ROW_BUTTON}>
            {test.pending ? <LoaderCircle aria-hidden className="size-4 animate-spin" /> : <Activity aria-hidden className="size-4" />}
            {test.pending ? "Testing…" : "Test"}
            <span className="sr-only"> {host.name}</span>
          </button>
          <button type="button" onClick={onEdit} className={ROW_BUTTON}>
            <Pencil aria-hidden className="size-4" />
            Edit<span className="sr-only"> {host.name}</span>
          </button>
          {canDelete ? <HostDelete host={host} onDelete={remove} /> : null}
        </div>
      </td>
    </tr>
  );
}
