// Who may see and do what, by team. Every rule about teams that routes,
// pages, sockets and the engine apply lives here, so they cannot disagree.
import { ApiError } from "@/lib/api/api-error";
import { actorId, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { TeamRole } from "@/lib/generated/prisma/enums";

/** Admins and the system (CLI, engine) see and manage everything. */
export function isPrivileged(ctx: Ctx): boolean {
  return ctx.actor.type === "system" || ctx.actor.role === "admin";
}

/** The caller's teams and their role in each. */
export async function teamRoles(userId: string): Promise<Map<string, TeamRole>> {
  const memberships = await getPrisma().membership.findMany({ where: { userId }, select: { teamId: true, role: true } });
  return new Map(memberships.map((m) => [m.teamId, m.role]));
}

export const ownedTeams = (roles: Map<string, TeamRole>) => [...roles].filter(([, role]) => role === "owner").map(([id]) => id);

/** Hosts a user may see and tunnel through: those for everyone, and those assigned to one of their teams. */
export function hostVisibleWhere(ctx: Ctx): Prisma.HostWhereInput {
  if (isPrivileged(ctx)) return {};
  return { OR: [{ visibleToAll: true }, { teams: { some: { team: { memberships: { some: { userId: actorId(ctx)! } } } } } }] };
}

type HostAssignment = { visibleToAll: boolean; teamIds: string[] };

/** A team owner manages a host that only their own teams use (tests it,
 *  chooses which of their teams see it: lib/hosts.ts); admins manage all. */
export function canManageHost(ctx: Ctx, roles: Map<string, TeamRole>, host: HostAssignment): boolean {
  if (isPrivileged(ctx)) return true;
  return !host.visibleToAll && host.teamIds.length > 0 && host.teamIds.every((id) => roles.get(id) === "owner");
}

/** What a team owner may set a host's assignment to: some of their own teams, never everyone. */
export function assertAssignable(ctx: Ctx, roles: Map<string, TeamRole>, host: HostAssignment) {
  if (isPrivileged(ctx)) return;
  if (host.visibleToAll) throw new ApiError({ code: "forbidden", field: "visibleToAll", message: "only admins can make a host visible to everyone" });
  if (host.teamIds.length === 0) throw new ApiError({ code: "unprocessable_entity", field: "teamIds", message: "must list at least one of your teams" });
  const foreign = host.teamIds.find((id) => roles.get(id) !== "owner");
  if (foreign) throw new ApiError({ code: "forbidden", field: "teamIds", message: `you do not own team ${foreign}` });
}

/** Team owners (other than the requester) who decide a member's request on a
 *  host: owners of a team the requester belongs to that gives access to it. */
export async function approverIds(tunnel: { ownerId: string; hostId: string }): Promise<string[]> {
  const host = await getPrisma().host.findUniqueOrThrow({ where: { id: tunnel.hostId }, select: { visibleToAll: true, teams: { select: { teamId: true } } } });
  const requesterTeams = await getPrisma().membership.findMany({
    where: { userId: tunnel.ownerId, ...(host.visibleToAll ? {} : { teamId: { in: host.teams.map((t) => t.teamId) } }) },
    select: { teamId: true },
  });
  const owners = await getPrisma().membership.findMany({
    where: { teamId: { in: requesterTeams.map((t) => t.teamId) }, role: "owner", userId: { not: tunnel.ownerId }, user: { disabled: false } },
    select: { userId: true },
  });
  return [...new Set(owners.map((o) => o.userId))];
}

/** Nobody decides their own request; admins decide anyone else's. */
export async function canApprove(ctx: Ctx, tunnel: { ownerId: string; hostId: string }): Promise<boolean> {
  const id = actorId(ctx);
  if (id === tunnel.ownerId) return false;
  if (isPrivileged(ctx)) return true;
  return (await approverIds(tunnel)).includes(id!);
}

export async function isMember(userId: string, teamId: string): Promise<boolean> {
  return (await getPrisma().membership.count({ where: { userId, teamId } })) > 0;
}
