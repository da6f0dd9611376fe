import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { closeTunnel, getTunnel } from "@/lib/tunnels/tunnels";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string };

export const GET = withAuth<Params>(async ({ ctx, params }) => Response.json(await getTunnel({ ctx, input: params })));

// An optional { "reason": "…" } body is shown to the owner with the closing.
export const DELETE = withAuth<Params>(async ({ req, ctx, params }) => {
  const body = await readJsonObject(req, { optional: true });
  return Response.json(await closeTunnel({ ctx, input: { id: params.id, reason: body.reason } }));
});

export const { POST, PUT, PATCH } = methodNotAllowed("GET", "DELETE");
