// Teams and their members. Admins manage every team; a team's owners manage
// its members. What membership grants is decided in team-access.ts.
//
// Joining a team makes its owners one's approvers, so a team owner cannot
// just add anyone: someone who shares no other team with them is invited,
// and the invitation counts for nothing until they accept it. Admins (and
// the CLI) add people directly. Invitations are kept by email whether or
// not an account has it, so adding someone tells nothing about who has one.
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { ApiError } from "@/lib/api/api-error";
import { audited, recordAudit } from "@/lib/audit/audit-log";
import { requireAdmin } from "@/lib/auth/require-admin";
import { actorId, actorName, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { TeamRole } from "@/lib/generated/prisma/enums";
import { teamRoom, userRoom } from "@/lib/realtime/events";
import { moveSockets } from "@/lib/realtime/publish";
import { idpGroupsOf } from "@/lib/teams/idp-teams";
import { isPrivileged } from "@/lib/teams/team-access";
import { enforceAccess } from "@/lib/tunnels/sweeps";
import { announceUnshared, stopSharing } from "@/lib/tunnels/tunnel-access";
import { findUserByEmail } from "@/lib/users";
import type { AddMemberInput, CreateTeamInput, UpdateMemberInput, UpdateTeamInput } from "@/lib/validation/teams";

const teamInclude = {
  memberships: {
    select: { userId: true, role: true, fromIdp: true, createdAt: true, user: { select: { email: true, name: true, disabled: true } } },
    orderBy: { createdAt: "asc" },
  },
  hosts: { select: { hostId: true } },
  invitations: { select: { id: true, email: true, role: true, invitedBy: true, createdAt: true }, orderBy: { createdAt: "asc" } },
} as const;

type TeamRow = Awaited<ReturnType<typeof findTeam>>;

function findTeam(id: string) {
  return getPrisma().team.findUnique({ where: { id }, include: teamInclude });
}

/** Pending invitations are shown to those who manage the team only. */
function toTeamDto(team: NonNullable<TeamRow>, ctx: Ctx) {
  return {
    id: team.id,
    name: team.name,
    idpGroups: idpGroupsOf(team),
    createdAt: team.createdAt.toISOString(),
    hostIds: team.hosts.map((h) => h.hostId),
    members: team.memberships.map((m) => ({
      userId: m.userId,
      email: m.user.email,
      name: m.user.name,
      role: m.role,
      fromIdp: m.fromIdp,
      disabled: m.user.disabled,
    })),
    invitations: manages(ctx, team)
      ? team.invitations.map((i) => ({ id: i.id, email: i.email, role: i.role, invitedBy: i.invitedBy, createdAt: i.createdAt.toISOString() }))
      : [],
  };
}
export type TeamDto = ReturnType<typeof toTeamDto>;

function nameTaken(error: unknown, name: string): never {
  if (isUniqueViolation(error)) {
    throw new ApiError({ code: "conflict", field: "name", message: `a team named ${name} already exists` });
  }
  throw error;
}

const manages = (ctx: Ctx, team: NonNullable<TeamRow>) => isPrivileged(ctx) || team.memberships.some((m) => m.userId === actorId(ctx) && m.role === "owner");

/** The team as its members (and admins) see it; to anyone else it does not exist. */
async function visibleTeam(ctx: Ctx, id: string) {
  const team = await findTeam(id);
  const member = team?.memberships.some((m) => m.userId === actorId(ctx));
  if (!team || !(member || isPrivileged(ctx))) throw new ApiError({ code: "not_found", message: `no team with id ${id}` });
  return team;
}

async function managedTeam(ctx: Ctx, id: string) {
  const team = await visibleTeam(ctx, id);
  if (!manages(ctx, team)) throw new ApiError({ code: "forbidden", message: `only owners of ${team.name} and admins can manage it` });
  return team;
}

export async function findTeamByName(name: string) {
  const team = await getPrisma().team.findUnique({ where: { name: name.trim() }, select: { id: true, name: true } });
  if (!team) throw new ApiError({ code: "not_found", field: "team", message: `no team named ${name}` });
  return team;
}

export async function createTeam({ ctx, input: data }: { ctx: Ctx; input: CreateTeamInput }) {
  requireAdmin(ctx, "create teams");
  const owner = data.ownerEmail
    ? await findUserByEmail(data.ownerEmail).catch(() => {
        throw new ApiError({ code: "unprocessable_entity", field: "ownerEmail", message: `no user with email ${data.ownerEmail}` });
      })
    : null;
  const team = await audited(ctx, async (tx) => {
    const created = await tx.team.create({ data: { name: data.name, ...(owner ? { memberships: { create: { userId: owner.id, role: "owner" } } } : {}) } });
    return { result: created, audit: { action: "team.created", subjectId: created.id, details: { name: created.name, owner: owner?.email ?? null } } };
  }).catch((error: unknown) => nameTaken(error, data.name));
  return getTeam({ ctx, input: { id: team.id } });
}

export async function listTeams({ ctx }: { ctx: Ctx }) {
  const where = isPrivileged(ctx) ? {} : { memberships: { some: { userId: actorId(ctx)! } } };
  const teams = await getPrisma().team.findMany({ where, include: teamInclude, orderBy: { name: "asc" } });
  return teams.map((team) => toTeamDto(team, ctx));
}

export async function getTeam({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  return toTeamDto(await visibleTeam(ctx, input.id), ctx);
}

/** Owners and admins rename a team; only admins map groups to it, since a group's members join without being asked. */
export async function updateTeam({ ctx, input }: { ctx: Ctx; input: { id: string; changes: UpdateTeamInput } }) {
  const team = await managedTeam(ctx, input.id);
  const { name = team.name, idpGroups } = input.changes;
  if (idpGroups) requireAdmin(ctx, "map identity-provider groups to teams");
  const details = { from: team.name, name, ...(idpGroups ? { idpGroupsFrom: idpGroupsOf(team), idpGroups } : {}) };
  await recordAudit(ctx, { action: "team.updated", subjectId: team.id, details }, (tx) =>
    tx.team.update({ where: { id: team.id }, data: { name, ...(idpGroups ? { idpGroups: JSON.stringify(idpGroups) } : {}) } }),
  ).catch((error: unknown) => nameTaken(error, name));
  return getTeam({ ctx, input });
}

export async function deleteTeam({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  requireAdmin(ctx, "delete teams");
  const team = await visibleTeam(ctx, input.id);
  const dto = toTeamDto(team, ctx);
  // Shared tunnels stop being shared; whoever joined through the team leaves.
  const unshared = await audited(ctx, async (tx) => {
    const tunnels = await stopSharing(tx, { teamId: team.id });
    await tx.team.delete({ where: { id: team.id } });
    return { result: tunnels, audit: { action: "team.deleted", subjectId: team.id, details: { name: team.name, members: dto.members.map((m) => m.email) } } };
  });
  await announceUnshared(unshared);
  moveSockets(teamRoom(team.id), { leave: teamRoom(team.id) });
  await enforceAccess(ctx, { userIds: dto.members.map((m) => m.userId), why: `team ${team.name} was deleted` });
  return dto;
}

/** Owners may not leave their team without an owner; admins may. */
function assertKeepsOwner(ctx: Ctx, team: NonNullable<TeamRow>, userId: string, nextRole: TeamRole | null) {
  if (isPrivileged(ctx) || nextRole === "owner") return;
  const owners = team.memberships.filter((m) => m.role === "owner");
  if (owners.length === 1 && owners[0]!.userId === userId) {
    throw new ApiError({ code: "conflict", message: `${team.name} would have no owner left: make someone else owner first` });
  }
}

/** Whether the owner adding `email` already shares another team with that person (and so is no stranger to them). */
async function sharesAnotherTeam(ownerId: string, teamId: string, email: string): Promise<boolean> {
  const shared = await getPrisma().membership.count({
    where: { user: { email }, teamId: { not: teamId }, team: { memberships: { some: { userId: ownerId } } } },
  });
  return shared > 0;
}

export type AddMemberResult = TeamDto & { outcome: "added" | "invited"; message: string };

/** Admins add an existing user at once; a team owner adds someone they
 *  already share a team with, and invites anyone else. */
export async function addMember({ ctx, input }: { ctx: Ctx; input: { teamId: string; member: AddMemberInput } }): Promise<AddMemberResult> {
  const team = await managedTeam(ctx, input.teamId);
  const data = input.member;
  if (team.memberships.some((m) => m.user.email === data.email)) {
    throw new ApiError({ code: "conflict", field: "email", message: `${data.email} is already in ${team.name}` });
  }
  if (!isPrivileged(ctx) && !(await sharesAnotherTeam(actorId(ctx)!, team.id, data.email))) return invite(ctx, team, data);
  const user = await findUserByEmail(data.email).catch(() => {
    throw new ApiError({ code: "unprocessable_entity", field: "email", message: `no user with email ${data.email}` });
  });
  await recordAudit(
    ctx,
    { action: "team.member_added", subjectId: team.id, details: { team: team.name, userId: user.id, email: user.email, role: data.role } },
    async (tx) => {
      await tx.membership.create({ data: { teamId: team.id, userId: user.id, role: data.role } });
      await tx.teamInvitation.deleteMany({ where: { teamId: team.id, email: user.email } });
    },
  );
  moveSockets(userRoom(user.id), { join: teamRoom(team.id) });
  return { ...(await getTeam({ ctx, input: { id: team.id } })), outcome: "added", message: `added ${user.email} to ${team.name} as ${data.role}` };
}

/** The same answer whether or not anyone has that email. */
async function invite(ctx: Ctx, team: NonNullable<TeamRow>, data: { email: string; role: TeamRole }): Promise<AddMemberResult> {
  const invitedBy = actorName(ctx);
  await recordAudit(
    ctx,
    { action: "team.member_invited", subjectId: team.id, details: { team: team.name, email: data.email, role: data.role } },
    async (tx) => {
      await tx.teamInvitation.upsert({
        where: { teamId_email: { teamId: team.id, email: data.email } },
        create: { teamId: team.id, email: data.email, role: data.role, invitedBy },
        update: { role: data.role, invitedBy },
      });
    },
  );
  const message = `invited ${data.email} to ${team.name} as ${data.role}: if an account has that email, its owner joins once they accept`;
  return { ...(await getTeam({ ctx, input: { id: team.id } })), outcome: "invited", message };
}

/** Invitations waiting for the caller. */
export async function listInvitations({ ctx }: { ctx: Ctx }) {
  if (ctx.actor.type !== "user") return [];
  const invitations = await getPrisma().teamInvitation.findMany({
    where: { email: ctx.actor.email },
    select: { id: true, role: true, invitedBy: true, createdAt: true, team: { select: { id: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return invitations.map((i) => ({
    id: i.id,
    teamId: i.team.id,
    team: i.team.name,
    role: i.role,
    invitedBy: i.invitedBy,
    createdAt: i.createdAt.toISOString(),
  }));
}
export type InvitationDto = Awaited<ReturnType<typeof listInvitations>>[number];

/** The caller's own invitation; anyone else's is as unknown as a missing one. */
async function ownInvitation(ctx: Ctx, input: { teamId: string; invitationId: string }) {
  const invitation = await getPrisma().teamInvitation.findUnique({ where: { id: input.invitationId }, include: { team: { select: { name: true } } } });
  if (!invitation || invitation.teamId !== input.teamId || ctx.actor.type !== "user" || invitation.email !== ctx.actor.email) {
    throw new ApiError({ code: "not_found", message: `no invitation with id ${input.invitationId}` });
  }
  return { ...invitation, userId: ctx.actor.id };
}

export async function acceptInvitation({ ctx, input }: { ctx: Ctx; input: { teamId: string; invitationId: string } }) {
  const invitation = await ownInvitation(ctx, input);
  const details = { team: invitation.team.name, userId: invitation.userId, email: invitation.email, role: invitation.role, invitedBy: invitation.invitedBy };
  await recordAudit(ctx, { action: "team.invitation_accepted", subjectId: invitation.teamId, details }, async (tx) => {
    await tx.teamInvitation.delete({ where: { id: invitation.id } });
    // Already added by an admin meanwhile: the role they gave stands.
    await tx.membership.upsert({
      where: { teamId_userId: { teamId: invitation.teamId, userId: invitation.userId } },
      create: { teamId: invitation.teamId, userId: invitation.userId, role: invitation.role },
      update: {},
    });
  });
  moveSockets(userRoom(invitation.userId), { join: teamRoom(invitation.teamId) });
  return getTeam({ ctx, input: { id: invitation.teamId } });
}

export async function declineInvitation({ ctx, input }: { ctx: Ctx; input: { teamId: string; invitationId: string } }) {
  const invitation = await ownInvitation(ctx, input);
  const details = { team: invitation.team.name, email: invitation.email, invitedBy: invitation.invitedBy };
  await recordAudit(ctx, { action: "team.invitation_declined", subjectId: invitation.teamId, details }, async (tx) => {
    await tx.teamInvitation.delete({ where: { id: invitation.id } });
  });
  return { teamId: invitation.teamId, invitationId: invitation.id, declined: true };
}

/** Owners and admins take back an invitation not yet answered. */
export async function withdrawInvitation({ ctx, input }: { ctx: Ctx; input: { teamId: string; invitationId: string } }) {
  const team = await managedTeam(ctx, input.teamId);
  const invitation = team.invitations.find((i) => i.id === input.invitationId);
  if (!invitation) throw new ApiError({ code: "not_found", message: `no invitation with id ${input.invitationId}` });
  await recordAudit(ctx, { action: "team.invitation_withdrawn", subjectId: team.id, details: { team: team.name, email: invitation.email } }, async (tx) => {
    await tx.teamInvitation.delete({ where: { id: invitation.id } });
  });
  return getTeam({ ctx, input: { id: team.id } });
}

function membershipOf(team: NonNullable<TeamRow>, userId: string) {
  const membership = team.memberships.find((m) => m.userId === userId);
  if (!membership) throw new ApiError({ code: "not_found", message: `no member ${userId} in ${team.name}` });
  return membership;
}

export async function updateMember({ ctx, input }: { ctx: Ctx; input: { teamId: string; userId: string; changes: UpdateMemberInput } }) {
  const team = await managedTeam(ctx, input.teamId);
  const membership = membershipOf(team, input.userId);
  const { role } = input.changes;
  assertKeepsOwner(ctx, team, input.userId, role);
  await recordAudit(
    ctx,
    {
      action: "team.member_updated",
      subjectId: team.id,
      details: { team: team.name, userId: input.userId, email: membership.user.email, from: membership.role, role },
    },
    (tx) => tx.membership.update({ where: { teamId_userId: { teamId: team.id, userId: input.userId } }, data: { role } }),
  );
  return getTeam({ ctx, input: { id: team.id } });
}

/** Owners remove members; anyone may leave. What the team gave them goes at once. */
export async function removeMember({ ctx, input }: { ctx: Ctx; input: { teamId: string; userId: string } }) {
  const self = actorId(ctx) === input.userId;
  const team = self ? await visibleTeam(ctx, input.teamId) : await managedTeam(ctx, input.teamId);
  const membership = membershipOf(team, input.userId);
  assertKeepsOwner(ctx, team, input.userId, null);
  await recordAudit(
    ctx,
    { action: "team.member_removed", subjectId: team.id, details: { team: team.name, userId: input.userId, email: membership.user.email, left: self } },
    (tx) => tx.membership.delete({ where: { teamId_userId: { teamId: team.id, userId: input.userId } } }),
  );
  moveSockets(userRoom(input.userId), { leave: teamRoom(team.id) });
  await enforceAccess(ctx, { userIds: [input.userId], why: `${membership.user.email} left ${team.name}` });
  return { teamId: team.id, userId: input.userId, removed: true };
}
