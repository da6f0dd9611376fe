import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { addMember, getTeam } from "@/lib/teams/teams";
import type { AddMemberInput } from "@/lib/validation/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string };

export const GET = withAuth<Params>(async ({ ctx, params }) => Response.json({ members: (await getTeam({ ctx, input: params })).members }));

// { "email": "…", "role": "member" | "owner" }: answers the team with its
// members, `outcome` and `message`: 201 added, or 202 invited (a team owner
// adding someone who shares no other team with them; they join once they accept).
export const POST = withAuth<Params>(async ({ req, ctx, params }) => {
  const member = (await readJsonObject(req)) as AddMemberInput;
  const result = await addMember({ ctx, input: { teamId: params.id, member } });
  return Response.json(result, { status: result.outcome === "added" ? 201 : 202 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
