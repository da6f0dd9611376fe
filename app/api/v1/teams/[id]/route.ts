import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { deleteTeam, getTeam, updateTeam } from "@/lib/teams/teams";
import { updateTeamSchema } from "@/lib/validation/teams";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getTeam({ ctx, input: params })),
  // { "name": "…" }: owners and admins rename a team.
  PATCH: async ({ req, ctx, params }) => Response.json(await updateTeam({ ctx, input: { id: params.id, changes: await readBody(req, updateTeamSchema) } })),
  DELETE: async ({ ctx, params }) => Response.json(await deleteTeam({ ctx, input: params })),
});
