// The first-run checklist on the Tunnels page, each step read from what is
// really there, until its steps are done or its person hides it. Hiding it is
// a preference of theirs, like a closed panel, so it is not audited.
import { requireUserId } from "@/lib/auth/require-user";
import { checklistSteps, type ChecklistStep } from "@/lib/checklist-steps";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { hostVisibleWhere, isPrivileged, ownedTeams, teamRoles } from "@/lib/teams/team-access";

const exists = (count: number) => count > 0;

/** Admins: anyone else, or any invitation; a team owner: another member of, or an invitation to, one of their teams. */
async function teammateInvited(userId: string, admin: boolean, owned: string[]) {
  const prisma = getPrisma();
  const [others, invitations] = await Promise.all(
    admin
      ? [prisma.user.count({ where: { id: { not: userId } } }), prisma.teamInvitation.count()]
      : [
          prisma.membership.count({ where: { teamId: { in: owned }, userId: { not: userId } } }),
          prisma.teamInvitation.count({ where: { teamId: { in: owned } } }),
        ],
  );
  return exists(others + invitations);
}

/** The caller's steps, or null when there is nothing to show: hidden, all done, or no step they can take. */
export async function firstRunChecklist({ ctx }: { ctx: Ctx }): Promise<ChecklistStep[] | null> {
  const userId = requireUserId(ctx, "has a checklist");
  const prisma = getPrisma();
  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { checklistDismissedAt: true } });
  if (user.checklistDismissedAt) return null;
  const admin = isPrivileged(ctx);
  const owned = ownedTeams(await teamRoles(userId));
  const [hosts, tested, opened, invited] = await Promise.all([
    prisma.host.count({ where: hostVisibleWhere(ctx) }),
    admin ? prisma.host.count({ where: { lastTestOk: true } }) : 0,
    prisma.tunnelEvent.findFirst({ where: { status: "active", tunnel: { ownerId: userId } }, select: { id: true } }),
    admin || owned.length > 0 ? teammateInvited(userId, admin, owned) : false,
  ]);
  const steps = checklistSteps({
    admin,
    ownsTeam: owned.length > 0,
    hostAvailable: exists(hosts),
    hostTested: exists(tested),
    tunnelOpened: opened !== null,
    teammateInvited: invited,
  });
  return steps.length > 0 && steps.some((step) => !step.done) ? steps : null;
}

/** Hides the caller's checklist for good. */
export async function dismissChecklist({ ctx }: { ctx: Ctx }) {
  const userId = requireUserId(ctx, "has a checklist");
  await getPrisma().user.update({ where: { id: userId }, data: { checklistDismissedAt: new Date() } });
}
