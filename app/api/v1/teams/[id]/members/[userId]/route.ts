import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { removeMember, updateMember } from "@/lib/teams/teams";
import { updateMemberSchema } from "@/lib/validation/teams";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string; userId: string }>({
  // { "role": "owner" | "member" }
  PATCH: async ({ req, ctx, params }) =>
    Response.json(await updateMember({ ctx, input: { teamId: params.id, userId: params.userId, changes: await readBody(req, updateMemberSchema) } })),
  // Owners remove members; members remove themselves (leave).
  DELETE: async ({ ctx, params }) => Response.json(await removeMember({ ctx, input: { teamId: params.id, userId: params.userId } })),
});
