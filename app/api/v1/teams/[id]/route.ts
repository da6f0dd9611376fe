import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { deleteTeam, getTeam, updateTeam } from "@/lib/teams/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string };

export const GET = withAuth<Params>(async ({ ctx, params }) => Response.json(await getTeam({ ctx, input: params })));

// { "name": "…" }: owners and admins rename a team.
export const PATCH = withAuth<Params>(async ({ req, ctx, params }) =>
  Response.json(await updateTeam({ ctx, input: { id: params.id, changes: await readJsonObject(req) } })),
);

export const DELETE = withAuth<Params>(async ({ ctx, params }) => Response.json(await deleteTeam({ ctx, input: params })));

export const { POST, PUT } = methodNotAllowed("GET", "PATCH", "DELETE");
