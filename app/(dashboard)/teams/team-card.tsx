"use client";

import { useId } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { apiFetch } from "@/app/lib/api-fetch";
import { AddMemberForm } from "./add-member-form";
import { IdpGroupsForm } from "./idp-groups-form";
import { MemberRow } from "./member-row";
import { PendingInvitations } from "./pending-invitations";
import { RenameTeamForm } from "./rename-team-form";
import { manages, type TeamView, type TeamViewer } from "./team-view";

type Props = { team: TeamView; viewer: TeamViewer; onChanged: (message: string, options?: { gone?: boolean }) => void };

/** A team: its members and roles; owners and admins manage them, admins delete the team. */
export function TeamCard({ team, viewer, onChanged }: Props) {
  const headingId = useId();
  const managing = manages(team, viewer);
  const own = team.members.find((member) => member.userId === viewer.id);
  const hosts = team.hostIds.length;

  async function remove() {
    await apiFetch(`/teams/${encodeURIComponent(team.id)}`, { method: "DELETE" });
    onChanged(`Deleted ${team.name}.`, { gone: true });
  }

  return (
    <article aria-labelledby={headingId} className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-wrap items-start gap-3">
        <div>
          <h3 id={headingId} className="font-semibold break-all">
            {team.name}
          </h3>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            {own ? `You are ${own.role === "owner" ? "an owner" : "a member"}` : "You are not in this team"} · {team.members.length}{" "}
            {team.members.length === 1 ? "person" : "people"} · {hosts} {hosts === 1 ? "host" : "hosts"} of its own
          </p>
          {team.idpGroups.length > 0 ? (
            <p className="text-xs text-zinc-600 dark:text-zinc-400">
              Members of {viewer.ssoName ?? "identity provider"} groups {team.idpGroups.join(", ")} join at sign-in
            </p>
          ) : null}
        </div>
        {viewer.isAdmin ? (
          <div className="ml-auto">
            <ConfirmAction
              label="Delete team"
              confirmLabel="Yes, delete"
              danger
              question={<p>Delete {team.name}? Its members lose its hosts and the tunnels shared with it stop being shared.</p>}
              onConfirm={remove}
            />
          </div>
        ) : null}
      </div>
      {team.members.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nobody is in {team.name} yet.</p>
      ) : (
        <table className="w-full text-sm">
          <caption className="sr-only">Members of {team.name}</caption>
          <thead>
            <tr className="text-left text-zinc-600 dark:text-zinc-400">
              <th scope="col" className="py-1 pr-4 font-medium">
                Person
              </th>
              <th scope="col" className="py-1 pr-4 font-medium">
                Role
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                Actions
              </th>
            </tr>
          </thead>
          <tbody>
            {team.members.map((member) => (
              <MemberRow key={member.userId} team={team} member={member} viewerId={viewer.id} manages={managing} onChanged={onChanged} />
            ))}
          </tbody>
        </table>
      )}
      {managing && team.invitations.length > 0 ? <PendingInvitations team={team} onChanged={onChanged} /> : null}
      {managing ? <AddMemberForm teamId={team.id} teamName={team.name} isAdmin={viewer.isAdmin} onAdded={onChanged} /> : null}
      {managing ? <RenameTeamForm teamId={team.id} name={team.name} onRenamed={onChanged} /> : null}
      {viewer.isAdmin && viewer.ssoName ? (
        <IdpGroupsForm teamId={team.id} name={team.name} groups={team.idpGroups} ssoName={viewer.ssoName} onSaved={onChanged} />
      ) : null}
    </article>
  );
}
