import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { removeMember, updateMember } from "@/lib/teams/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string; userId: string };

// { "role": "owner" | "member" }
export const PATCH = withAuth<Params>(async ({ req, ctx, params }) =>
  Response.json(await updateMember({ ctx, input: { teamId: params.id, userId: params.userId, changes: await readJsonObject(req) } })),
);

// Owners remove members; members remove themselves (leave).
export const DELETE = withAuth<Params>(async ({ ctx, params }) => Response.json(await removeMember({ ctx, input: { teamId: params.id, userId: params.userId } })));

export const { GET, POST, PUT } = methodNotAllowed("PATCH", "DELETE");
