import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { createTeam, listInvitations, listTeams } from "@/lib/teams/teams";
import { createTeamSchema } from "@/lib/validation/teams";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  // Admins see every team; anyone else the teams they are in. `invitations`: teams the caller is invited to.
  GET: async ({ ctx }) => {
    const [teams, invitations] = await Promise.all([listTeams({ ctx }), listInvitations({ ctx })]);
    return Response.json({ teams, invitations });
  },
  POST: async ({ req, ctx }) => Response.json(await createTeam({ ctx, input: await readBody(req, createTeamSchema) }), { status: 201 }),
});
