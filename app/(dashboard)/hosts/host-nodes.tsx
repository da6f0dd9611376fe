"use client";

import { useId, useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SaveRow } from "@/app/components/save-row";
import type { HostView } from "./host-view";
import { useHostChange } from "./use-host-change";

/** A Warren node as the hosts page offers it for pinning. */
export type NodeOption = { name: string; running: boolean };

type Props = { host: Pick<HostView, "id" | "name" | "nodes" | "carriers">; nodes: NodeOption[]; canPin: boolean };

/** "any node" or "bastion-a, bastion-b", for the disclosure's one-line summary. */
const pinnedText = (pinned: string[]) => (pinned.length === 0 ? "any node" : pinned.join(", "));

/** The drawer's "Carried by" disclosure, where several nodes share Warren's database: which nodes may carry the host's tunnels, which carry them now, and (admins) the form to pin it. */
export function HostNodes({ host, nodes, canPin }: Props) {
  const id = useId();
  const [pinned, setPinned] = useState(host.nodes);
  const { error, status, pending, save } = useHostChange(host.id);
  const carrying = host.carriers.map(({ node, tunnels }) => `${node} (${tunnels})`).join(", ");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void save({ nodes: pinned }, `${host.name}'s tunnels are now carried by ${pinnedText(pinned)}.`);
  }

  const toggle = (name: string, on: boolean) => setPinned(on ? [...pinned, name] : pinned.filter((known) => known !== name));
  const radio = "size-4 accent-brand-600 dark:accent-brand-300";
  const fieldError = error?.field === "nodes" ? error.message : undefined;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer rounded">
        <span className="font-medium text-brand-700 dark:text-brand-300">Carried by</span>
        <span className="sr-only">: </span>
        <span data-testid="nodes-summary" className="ml-2 text-zinc-700 dark:text-zinc-300">
          {pinnedText(host.nodes)}
          {carrying ? ` · open tunnels on ${carrying}` : ""}
        </span>
      </summary>
      {canPin ? (
        <form method="post" noValidate onSubmit={submit} aria-label={`Nodes that carry ${host.name}'s tunnels`} className="mt-3 space-y-3">
          <fieldset className="space-y-2" aria-describedby={fieldError ? `${id}-error` : `${id}-hint`}>
            <legend className="text-sm font-medium">Nodes that open and take over its tunnels</legend>
            <div className="flex flex-wrap gap-x-6 gap-y-2">
              <label className="flex items-center gap-2">
                <input type="radio" name={`${id}-scope`} checked={pinned.length === 0} onChange={() => setPinned([])} className={radio} />
                Any node
              </label>
            </div>
            <ul className="flex flex-wrap gap-x-6 gap-y-2" aria-label="Nodes">
              {nodes.map((node) => (
                <li key={node.name}>
                  <label className="flex items-center gap-2">
                    <input
                      type="checkbox"
                      checked={pinned.includes(node.name)}
                      onChange={(event) => toggle(node.name, event.target.checked)}
                      className={radio}
                    />
                    {node.name}
                    {node.running ? "" : " (not running)"}
                  </label>
                </li>
              ))}
            </ul>
            {fieldError ? (
              <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
                {fieldError}
              </p>
            ) : null}
            <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
              Pin a host to the nodes that can reach it. Its open tunnels move to them when you save.
            </p>
          </fieldset>
          <FormAlert>{fieldError ? null : error?.message}</FormAlert>
          <SaveRow pending={pending} label="Save nodes" status={status} />
        </form>
      ) : null}
    </details>
  );
}
