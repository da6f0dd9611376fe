"use client";

import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SaveRow } from "@/app/components/save-row";
import { AssignmentFields, assignmentText, type Assignment, type TeamOption } from "./assignment-fields";
import type { HostView } from "./host-view";
import { useHostChange } from "./use-host-change";

type Props = { host: Pick<HostView, "id" | "name" | "visibleToAll" | "teamIds">; teams: TeamOption[]; canAssignAll: boolean };

/** The drawer's "Visible to" disclosure: who may use the host, and the form to change it. */
export function HostAssignment({ host, teams, canAssignAll }: Props) {
  const saved: Assignment = { visibleToAll: host.visibleToAll, teamIds: host.teamIds };
  const [value, setValue] = useState(saved);
  const { error, status, pending, save } = useHostChange(host.id);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = value.visibleToAll ? { visibleToAll: true, teamIds: [] } : { visibleToAll: false, teamIds: value.teamIds };
    void save(body, `${host.name} is now for ${assignmentText(value, teams)}.`);
  }

  const fieldError = error?.field === "teamIds" || error?.field === "visibleToAll" ? error.message : undefined;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer rounded">
        <span className="font-medium text-brand-700 dark:text-brand-300">Visible to</span>
        <span className="sr-only">: </span>
        <span data-testid="assignment-summary" className="ml-2 text-zinc-700 dark:text-zinc-300">
          {assignmentText(saved, teams)}
        </span>
      </summary>
      <form method="post" noValidate onSubmit={submit} aria-label={`Who may use ${host.name}`} className="mt-3 space-y-3">
        <AssignmentFields teams={teams} canAssignAll={canAssignAll} value={value} error={fieldError} onChange={setValue} />
        <FormAlert>{fieldError ? null : error?.message}</FormAlert>
        <SaveRow pending={pending} label="Save visibility" status={status} />
      </form>
    </details>
  );
}
