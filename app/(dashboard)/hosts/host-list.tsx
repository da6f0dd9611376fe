"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import type { TeamOption } from "./assignment-fields";
import { HOST_COLUMNS, HostCard } from "./host-card";
import type { NodeOption } from "./host-nodes";
import type { HostView } from "./host-view";

/** The inventory, with one place that announces what a change did. */
export function HostList({ hosts, teams, nodes, canAssignAll }: { hosts: HostView[]; teams: TeamOption[]; nodes: NodeOption[]; canAssignAll: boolean }) {
  const router = useRouter();
  const [notice, setNotice] = useState("");
  const headingRef = useRef<HTMLHeadingElement>(null);

  function changed(message: string, { removed = false } = {}) {
    setNotice(message);
    // A deleted card takes the focused button with it; land somewhere sensible.
    if (removed) headingRef.current?.focus();
    router.refresh();
  }

  return (
    <section aria-labelledby="inventory-heading" className="space-y-3">
      <h2 id="inventory-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold">
        Inventory
      </h2>
      <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
        {notice}
      </p>
      {hosts.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {canAssignAll ? "No hosts yet. Add the first one below." : "None of your teams has a host of its own yet. Admins add hosts and give them to teams."}
        </p>
      ) : (
        <>
          {/* Column headings for sighted users on wide screens; each card labels its own values for everyone else. */}
          <div aria-hidden="true" className={`hidden px-4 text-xs font-medium text-zinc-600 dark:text-zinc-400 ${HOST_COLUMNS}`}>
            <span>Name</span>
            <span>Connects as</span>
            <span>Host key</span>
            <span className="text-right">{canAssignAll ? "Actions" : ""}</span>
          </div>
          <ul className="space-y-3">
            {hosts.map((host) => (
              <li key={host.id}>
                <HostCard host={host} teams={teams} nodes={nodes} canAssignAll={canAssignAll} onChanged={changed} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
