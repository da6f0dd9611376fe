"use client";

import { useId, useRef, type ReactNode } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import { ConfirmAction } from "@/app/components/confirm-action";
import type { TeamOption } from "./assignment-fields";
import { HostAssignment } from "./host-assignment";
import { HostKeyState } from "./host-key-state";
import { HostNodes, type NodeOption } from "./host-nodes";
import { HostPolicySection, PolicySummary } from "./host-policy";
import { HostTest } from "./host-test";
import { connectsAs, type HostView } from "./host-view";
import { PublicKeyInstructions } from "./public-key-instructions";

/** Shared by the cards and the list's column headings, so they line up on wide screens. */
export const HOST_COLUMNS = "md:grid md:grid-cols-[minmax(0,1fr)_minmax(0,1.3fr)_minmax(0,2fr)_minmax(0,1fr)] md:gap-4";

type Props = {
  host: HostView;
  teams: TeamOption[];
  /** Warren's nodes, where several share its database (none otherwise). */
  nodes: NodeOption[];
  /** An admin: everything about the host. A team owner only tests it and chooses which of their teams see it. */
  canAssignAll: boolean;
  onChanged: (message: string, options?: { removed?: boolean }) => void;
};

/** One host: a row of columns on wide screens, a stacked card on narrow ones. */
export function HostCard({ host, teams, nodes, canAssignAll, onChanged }: Props) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const path = `/hosts/${encodeURIComponent(host.id)}`;

  async function trust(fingerprint: string) {
    await apiFetch(path, { method: "PATCH", body: { hostKeyFingerprint: fingerprint } });
    // The button that was focused goes away with the "changed" state.
    headingRef.current?.focus();
    onChanged(`Trusted the new host key of ${host.name}.`);
  }

  async function remove() {
    await apiFetch(path, { method: "DELETE" });
    onChanged(`Deleted ${host.name}.`, { removed: true });
  }

  return (
    <article aria-labelledby={headingId} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div className={`space-y-3 md:space-y-0 ${HOST_COLUMNS}`}>
        <div>
          <h3 id={headingId} ref={headingRef} tabIndex={-1} className="font-semibold break-all">
            {host.name}
          </h3>
          {host.keyGenerated ? <p className="text-xs text-zinc-600 dark:text-zinc-400">key pair made by Warren</p> : null}
        </div>
        <Column label="Connects as">
          <code className="font-mono text-sm break-all">{connectsAs(host)}</code>
        </Column>
        <Column label="Host key">
          <HostKeyState host={host} onTrust={canAssignAll ? trust : undefined} />
        </Column>
        <div className="md:justify-self-end">
          {canAssignAll && host.openTunnels > 0 ? (
            <p data-testid="delete-blocked" className="max-w-48 text-sm text-zinc-600 dark:text-zinc-400">
              To delete it, close its {host.openTunnels} open tunnel{host.openTunnels === 1 ? "" : "s"} first.
            </p>
          ) : canAssignAll ? (
            <ConfirmAction
              label="Delete"
              confirmLabel="Yes, delete"
              danger
              question={<p>Delete {host.name}, and the records of its closed tunnels?</p>}
              onConfirm={remove}
            />
          ) : null}
        </div>
      </div>
      <div className="mt-4 space-y-3 border-t border-zinc-200 pt-3 dark:border-zinc-800">
        <HostTest host={host} />
        <HostAssignment host={host} teams={teams} canAssignAll={canAssignAll} />
        {nodes.length > 0 ? <HostNodes host={host} nodes={nodes} canPin={canAssignAll} /> : null}
        {canAssignAll ? (
          <>
            <HostPolicySection host={host} />
            <details className="text-sm">
              <summary className="cursor-pointer rounded font-medium text-brand-700 dark:text-brand-300">Public key</summary>
              <div className="mt-2">
                <PublicKeyInstructions publicKey={host.publicKey} username={host.username} />
              </div>
            </details>
          </>
        ) : (
          <p className="text-sm">
            <PolicySummary host={host} labelClass="font-medium" />
            <span className="block text-xs text-zinc-600 dark:text-zinc-400">Its policy, address, credentials and host key are for admins to change.</span>
          </p>
        )}
      </div>
    </article>
  );
}

/** A value with its own label on narrow screens; wide screens show the list's column headings instead. */
function Column({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <p className="text-xs font-medium text-zinc-600 md:sr-only dark:text-zinc-400">{label}</p>
      {children}
    </div>
  );
}
