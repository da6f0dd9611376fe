import type { TeamDto } from "@/lib/teams/teams";

/** A team as the page hands it to the browser: plain values, no dates. */
export type TeamView = Omit<TeamDto, "createdAt">;
/** `ssoName`: the identity provider's name when single sign-on is on. */
export type TeamViewer = { id: string; isAdmin: boolean; ssoName: string | null };

/** Admins and the team's owners manage its members. */
export const manages = (team: TeamView, viewer: TeamViewer) =>
  viewer.isAdmin || team.members.some((member) => member.userId === viewer.id && member.role === "owner");
