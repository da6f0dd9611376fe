"use client";

import { useId } from "react";

export type TeamOption = { id: string; name: string };
export type Assignment = { visibleToAll: boolean; teamIds: string[] };

type Props = {
  /** The teams the viewer may assign: every team for admins, their own for team owners. */
  teams: TeamOption[];
  /** Admins may make a host visible to everyone; team owners may not. */
  canAssignAll: boolean;
  value: Assignment;
  error?: string;
  onChange: (value: Assignment) => void;
};

/** Who may use a host: everyone, or the members of the chosen teams. */
export function AssignmentFields({ teams, canAssignAll, value, error, onChange }: Props) {
  const id = useId();
  const toggle = (teamId: string, on: boolean) =>
    onChange({ visibleToAll: false, teamIds: on ? [...value.teamIds, teamId] : value.teamIds.filter((known) => known !== teamId) });
  const radio = "size-4 accent-brand-600 dark:accent-brand-300";
  return (
    <fieldset className="space-y-2" aria-describedby={error ? `${id}-error` : `${id}-hint`}>
      <legend className="text-sm font-medium">Who may use it</legend>
      {canAssignAll ? (
        <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name={`${id}-scope`}
              checked={value.visibleToAll}
              onChange={() => onChange({ visibleToAll: true, teamIds: [] })}
              className={radio}
            />
            Everyone
          </label>
          <label className="flex items-center gap-2">
            <input
              type="radio"
              name={`${id}-scope`}
              checked={!value.visibleToAll}
              onChange={() => onChange({ visibleToAll: false, teamIds: value.teamIds })}
              className={radio}
            />
            Only members of the teams chosen below
          </label>
        </div>
      ) : null}
      {value.visibleToAll ? null : teams.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">There are no teams yet: create one on the Teams page.</p>
      ) : (
        <ul className="flex flex-wrap gap-x-6 gap-y-2 text-sm" aria-label="Teams">
          {teams.map((team) => (
            <li key={team.id}>
              <label className="flex items-center gap-2">
                <input
                  type="checkbox"
                  checked={value.teamIds.includes(team.id)}
                  onChange={(event) => toggle(team.id, event.target.checked)}
                  className={radio}
                />
                {team.name}
              </label>
            </li>
          ))}
        </ul>
      )}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
      <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
        {canAssignAll ? "A host for chosen teams is seen only by their members (and admins)." : "You may share your hosts with the teams you own."}
      </p>
    </fieldset>
  );
}

/** "everyone" or "payments, search", for a one-line summary (the table's name cell, the drawer's "Visible to"). */
export function assignmentText(value: Assignment, teams: TeamOption[]): string {
  if (value.visibleToAll) return "everyone";
  const names = value.teamIds.map((teamId) => teams.find((team) => team.id === teamId)?.name ?? "a team you cannot see");
  return names.length ? `members of ${names.join(", ")}` : "admins only";
}
