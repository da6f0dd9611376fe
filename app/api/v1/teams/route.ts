import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { createTeam, listInvitations, listTeams } from "@/lib/teams/teams";
import type { CreateTeamInput } from "@/lib/validation/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// Admins see every team; anyone else the teams they are in. `invitations`: teams the caller is invited to.
export const GET = withAuth(async ({ ctx }) => {
  const [teams, invitations] = await Promise.all([listTeams({ ctx }), listInvitations({ ctx })]);
  return Response.json({ teams, invitations });
});

export const POST = withAuth(async ({ req, ctx }) => {
  const input = (await readJsonObject(req)) as CreateTeamInput;
  return Response.json(await createTeam({ ctx, input }), { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
