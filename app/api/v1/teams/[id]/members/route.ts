import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { addMember, getTeam } from "@/lib/teams/teams";
import type { AddMemberInput } from "@/lib/validation/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string };

export const GET = withAuth<Params>(async ({ ctx, params }) => Response.json({ members: (await getTeam({ ctx, input: params })).members }));

// { "email": "…", "role": "member" | "owner" }: answers the team with its members.
export const POST = withAuth<Params>(async ({ req, ctx, params }) => {
  const member = (await readJsonObject(req)) as AddMemberInput;
  return Response.json(await addMember({ ctx, input: { teamId: params.id, member } }), { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
