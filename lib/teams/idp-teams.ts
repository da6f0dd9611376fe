// Teams that name identity-provider groups. At each single sign-on the
// memberships those groups gave are made to match the groups the provider
// lists now: a new group joins its teams (no invitation: the company's
// directory already decided), a group gone leaves them, with what leaving
// cuts (team-shared tunnels, hosts seen through the team). Memberships added
// by hand in Warren are left alone.
import type { AuditInput } from "@/lib/audit/audit-log";
import type { Ctx } from "@/lib/context";
import type { Prisma } from "@/lib/generated/prisma/client";
import { teamRoom, userRoom } from "@/lib/realtime/events";
import { moveSockets } from "@/lib/realtime/publish";
import { enforceAccess } from "@/lib/tunnels/sweeps";

/** A team's stored group list. */
export function idpGroupsOf(team: { idpGroups: string }): string[] {
  const groups: unknown = JSON.parse(team.idpGroups);
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
}

export type IdpTeamChanges = { joined: { id: string; name: string }[]; left: { id: string; name: string }[]; audit: AuditInput[] };

/** Within the sign-in's transaction: the membership changes and their audit records. */
export async function syncIdpTeams(tx: Prisma.TransactionClient, user: { id: string; email: string }, groups: string[]): Promise<IdpTeamChanges> {
  const teams = await tx.team.findMany({
    where: { idpGroups: { not: "[]" } },
    select: { id: true, name: true, idpGroups: true, memberships: { where: { userId: user.id }, select: { fromIdp: true } } },
  });
  const changes: IdpTeamChanges = { joined: [], left: [], audit: [] };
  for (const team of teams) {
    const matching = idpGroupsOf(team).filter((group) => groups.includes(group));
    const membership = team.memberships[0];
    const details = { team: team.name, userId: user.id, email: user.email, idpGroups: matching };
    if (matching.length > 0 && !membership) {
      await tx.membership.create({ data: { teamId: team.id, userId: user.id, role: "member", fromIdp: true } });
      await tx.teamInvitation.deleteMany({ where: { teamId: team.id, email: user.email } });
      changes.joined.push(team);
      changes.audit.push({ action: "team.member_added", subjectId: team.id, details: { ...details, role: "member" } });
    } else if (matching.length === 0 && membership?.fromIdp) {
      await tx.membership.delete({ where: { teamId_userId: { teamId: team.id, userId: user.id } } });
      changes.left.push(team);
      changes.audit.push({ action: "team.member_removed", subjectId: team.id, details: { ...details, left: false } });
    }
  }
  return changes;
}

/** After the transaction: live sockets follow the memberships, and what a team gave goes with it. */
export async function applyIdpTeamChanges(ctx: Ctx, user: { id: string; email: string }, changes: IdpTeamChanges) {
  for (const team of changes.joined) moveSockets(userRoom(user.id), { join: teamRoom(team.id) });
  for (const team of changes.left) moveSockets(userRoom(user.id), { leave: teamRoom(team.id) });
  if (changes.left.length > 0) {
    await enforceAccess(ctx, { userIds: [user.id], why: `${user.email} left ${changes.left.map((t) => t.name).join(", ")} (identity provider groups)` });
  }
}
