import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { addMember, getTeam } from "@/lib/teams/teams";
import { addMemberSchema } from "@/lib/validation/teams";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json({ members: (await getTeam({ ctx, input: params })).members }),
  // { "email": "…", "role": "member" | "owner" }: answers the team with its
  // members, `outcome` and `message`: 201 added, or 202 invited (a team owner
  // adding someone who shares no other team with them; they join once they accept).
  POST: async ({ req, ctx, params }) => {
    const result = await addMember({ ctx, input: { teamId: params.id, member: await readBody(req, addMemberSchema) } });
    return Response.json(result, { status: result.outcome === "added" ? 201 : 202 });
  },
});
