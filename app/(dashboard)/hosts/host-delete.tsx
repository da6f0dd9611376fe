"use client";

import { useId } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import type { HostView } from "./host-view";
import { ROW_BUTTON } from "./row-button";

type Props = { host: Pick<HostView, "name" | "openTunnels">; onDelete: () => Promise<void> };

/** Delete with an inline confirmation; while tunnels run through the host, a button that says why it cannot. */
export function HostDelete({ host, onDelete }: Props) {
  const reasonId = useId();
  if (host.openTunnels > 0) {
    const count = host.openTunnels;
    return (
      <div className="space-y-1">
        {/* aria-disabled, not disabled: it stays in the tab order, so keyboard and screen reader users hear why. */}
        <button type="button" aria-disabled="true" aria-describedby={reasonId} className={`${ROW_BUTTON} cursor-not-allowed text-zinc-600 dark:text-zinc-400`}>
          Delete
        </button>
        <p id={reasonId} data-testid="delete-blocked" className="max-w-40 text-xs text-zinc-600 dark:text-zinc-400">
          Close its {count} open tunnel{count === 1 ? "" : "s"} first.
        </p>
      </div>
    );
  }
  return (
    <ConfirmAction
      label="Delete"
      confirmLabel="Yes, delete"
      danger
      question={<p>Delete {host.name}, and the records of its closed tunnels?</p>}
      onConfirm={onDelete}
    />
  );
}
