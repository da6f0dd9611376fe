import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { createTeam, listTeams } from "@/lib/teams/teams";
import type { CreateTeamInput } from "@/lib/validation/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// Admins see every team; anyone else the teams they are in.
export const GET = withAuth(async ({ ctx }) => Response.json({ teams: await listTeams({ ctx }) }));

export const POST = withAuth(async ({ req, ctx }) => {
  const input = (await readJsonObject(req)) as CreateTeamInput;
  return Response.json(await createTeam({ ctx, input }), { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
