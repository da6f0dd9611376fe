import type { SessionUser } from "@/lib/auth/sessions";
import { severalNodes } from "@/lib/host-nodes";
import { ownedTeams, teamRoles } from "@/lib/teams/team-access";
import type { Viewer } from "./viewer";

/** The viewer and whether they decide anyone's requests (admins and team owners). */
export async function viewerOf(user: Pick<SessionUser, "id" | "role">): Promise<Viewer & { approver: boolean }> {
  const [roles, clustered] = await Promise.all([teamRoles(user.id), severalNodes()]);
  const isAdmin = user.role === "admin";
  return { id: user.id, isAdmin, teamIds: [...roles.keys()], approver: isAdmin || ownedTeams(roles).length > 0, severalNodes: clustered };
}
