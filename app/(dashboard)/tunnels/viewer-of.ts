import type { SessionUser } from "@/lib/auth/sessions";
import { ownedTeams, teamRoles } from "@/lib/teams/team-access";
import type { Viewer } from "./viewer";

/** The viewer and whether they decide anyone's requests (admins and team owners). */
export async function viewerOf(user: Pick<SessionUser, "id" | "role">): Promise<Viewer & { approver: boolean }> {
  const roles = await teamRoles(user.id);
  const isAdmin = user.role === "admin";
  return { id: user.id, isAdmin, teamIds: [...roles.keys()], approver: isAdmin || ownedTeams(roles).length > 0 };
}
