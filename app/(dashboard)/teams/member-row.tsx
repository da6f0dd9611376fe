"use client";

import { useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { TeamView } from "./team-view";

export const ROLE_SELECT = "block rounded-md border border-zinc-500 bg-white px-2 py-2 text-sm dark:bg-zinc-950";

type Props = {
  team: Pick<TeamView, "id" | "name">;
  member: TeamView["members"][number];
  viewerId: string;
  /** The viewer manages the team (its owner or an admin). */
  manages: boolean;
  onChanged: (message: string, options?: { gone?: boolean }) => void;
};

/** One member: their role (a select for managers), and Remove, or Leave on one's own row. */
export function MemberRow({ team, member, viewerId, manages, onChanged }: Props) {
  const [error, setError] = useState("");
  // Shows the choice at once; goes back to the saved role if the server refuses it.
  const [role, setRole] = useState(member.role);
  const self = member.userId === viewerId;
  const path = `/teams/${encodeURIComponent(team.id)}/members/${encodeURIComponent(member.userId)}`;

  async function changeRole(next: typeof role) {
    setRole(next);
    try {
      await apiFetch(path, { method: "PATCH", body: { role: next } });
      setError("");
      onChanged(`${member.email} is now ${next === "owner" ? "an owner" : "a member"} of ${team.name}.`);
    } catch (failure) {
      setRole(member.role);
      setError(errorMessage(failure));
    }
  }

  async function remove() {
    await apiFetch(path, { method: "DELETE" });
    // Leaving a team one does not manage takes it off the page.
    onChanged(self ? `You left ${team.name}.` : `Removed ${member.email} from ${team.name}.`, { gone: self && !manages });
  }

  return (
    <tr className="border-t border-zinc-100 align-top dark:border-zinc-800">
      <th scope="row" className="py-2 pr-4 text-left font-normal">
        <span className="font-medium break-all">{member.email}</span>
        {member.name ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">{member.name}</span> : null}
        {member.fromIdp ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">from sign-in groups</span> : null}
        {member.disabled ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">disabled</span> : null}
      </th>
      <td className="py-2 pr-4">
        {manages ? (
          <select
            aria-label={`Role of ${member.email}`}
            value={role}
            onChange={(event) => void changeRole(event.target.value === "owner" ? "owner" : "member")}
            className={ROLE_SELECT}
          >
            <option value="member">member</option>
            <option value="owner">owner</option>
          </select>
        ) : (
          member.role
        )}
        <FormAlert>{error}</FormAlert>
      </td>
      <td className="py-2 text-right">
        {self || manages ? (
          <ConfirmAction
            label={self ? "Leave team" : `Remove ${member.email}`}
            confirmLabel={self ? "Yes, leave" : "Yes, remove"}
            danger
            question={
              <p>
                {self ? `Leave ${team.name}?` : `Remove ${member.email} from ${team.name}?`} Tunnels through its hosts close and shared tunnels joined through
                it are left at once.
              </p>
            }
            onConfirm={remove}
          />
        ) : null}
      </td>
    </tr>
  );
}
