"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { useToast } from "@/app/components/toast-provider";
import { useNow, useTunnelEvents } from "@/app/lib/realtime-provider";
import type { TeamOption } from "./assignment-fields";
import { HostDrawer } from "./host-drawer";
import type { NodeOption } from "./host-nodes";
import { HostRow } from "./host-row";
import type { HostView } from "./host-view";

const COLUMNS = ["Name", "Connects as", "Health", "Open tunnels", "Host key", "Actions"];

/** A tunnel opening, dropping or closing changes its host's counts and link: the page reloads, at most this often. */
const REFRESH_MS = 1_000;

type Props = {
  /** The id of the heading that names the table. */
  labelledBy: string;
  hosts: HostView[];
  teams: TeamOption[];
  /** Warren's nodes, where several share its database (none otherwise). */
  nodes: NodeOption[];
  /** An admin: everything about every host. A team owner tests theirs and chooses which of their teams see them. */
  canAssignAll: boolean;
};

/** The inventory, one row per host; at phone width each row stacks its cells under their names. Edit opens a drawer. */
export function HostTable({ labelledBy, hosts, teams, nodes, canAssignAll }: Props) {
  const router = useRouter();
  const toast = useToast();
  const now = useNow(30_000);
  const [editing, setEditing] = useState<string>();
  const countRef = useRef<HTMLParagraphElement>(null);
  const refreshing = useRef<ReturnType<typeof setTimeout>>(undefined);

  function refreshSoon() {
    if (refreshing.current) return;
    refreshing.current = setTimeout(() => {
      refreshing.current = undefined;
      router.refresh();
    }, REFRESH_MS);
  }
  useTunnelEvents({ onStatus: refreshSoon, onResync: refreshSoon });

  function announce(message: string) {
    toast({ title: message });
    router.refresh();
  }

  function deleted(message: string) {
    // The row takes the focused button with it: land on the line above the table.
    countRef.current?.focus();
    announce(message);
  }

  const open = hosts.reduce((sum, host) => sum + host.openTunnels, 0);
  const empty = canAssignAll
    ? "No hosts yet. Add the first one with “Add host”."
    : "None of your teams has a host of its own yet. Admins add hosts and give them to teams.";
  return (
    <div className="space-y-2">
      <p
        ref={countRef}
        tabIndex={-1}
        data-testid="host-count"
        className={
          hosts.length === 0
            ? "rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400"
            : "rounded text-sm text-zinc-600 dark:text-zinc-400"
        }
      >
        {hosts.length === 0 ? empty : `${hosts.length} host${hosts.length === 1 ? "" : "s"}, ${open} open tunnel${open === 1 ? "" : "s"}`}
      </p>
      {hosts.length === 0 ? null : (
        <table aria-labelledby={labelledBy} className="block w-full text-left text-sm md:table">
          <thead className="hidden border-b border-zinc-300 md:table-header-group dark:border-zinc-700">
            <tr>
              {COLUMNS.map((column) => (
                <th key={column} scope="col" className="px-3 py-2 font-semibold whitespace-nowrap">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="block md:table-row-group">
            {hosts.map((host) => (
              <HostRow
                key={host.id}
                host={host}
                teams={teams}
                now={now}
                showNodes={nodes.length > 0}
                canDelete={canAssignAll}
                onEdit={() => setEditing(host.id)}
                onDeleted={deleted}
              />
            ))}
          </tbody>
        </table>
      )}
      <HostDrawer
        host={hosts.find((host) => host.id === editing)}
        onClose={() => setEditing(undefined)}
        teams={teams}
        nodes={nodes}
        canAssignAll={canAssignAll}
        announce={announce}
      />
    </div>
  );
}
