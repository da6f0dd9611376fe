"use client";

import { ConfirmAction } from "@/app/components/confirm-action";
import { apiFetch } from "@/app/lib/api-fetch";
import type { TeamView } from "./team-view";

type Props = { team: Pick<TeamView, "id" | "name" | "invitations">; onChanged: (message: string) => void };

/** Invitations not answered yet, for the team's owners and admins, who may take them back. */
export function PendingInvitations({ team, onChanged }: Props) {
  async function withdraw(invitation: TeamView["invitations"][number]) {
    await apiFetch(`/teams/${encodeURIComponent(team.id)}/invitations/${encodeURIComponent(invitation.id)}`, { method: "DELETE" });
    onChanged(`Withdrew the invitation of ${invitation.email} to ${team.name}.`);
  }

  return (
    <div className="space-y-2 text-sm">
      <h4 className="font-medium">Invited, not answered yet</h4>
      <ul className="space-y-2">
        {team.invitations.map((invitation) => (
          <li key={invitation.id} data-testid="pending-invitation" className="flex flex-wrap items-center gap-3">
            <span className="min-w-56 flex-1 break-all">
              {invitation.email}{" "}
              <span className="text-zinc-600 dark:text-zinc-400">
                as {invitation.role}, invited by {invitation.invitedBy}
              </span>
            </span>
            <ConfirmAction
              label={`Withdraw the invitation of ${invitation.email}`}
              confirmLabel="Yes, withdraw"
              danger
              question={
                <p>
                  Withdraw the invitation of {invitation.email} to {team.name}?
                </p>
              }
              onConfirm={() => withdraw(invitation)}
            />
          </li>
        ))}
      </ul>
    </div>
  );
}
