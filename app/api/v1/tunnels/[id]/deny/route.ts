import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { denyRequest } from "@/lib/tunnels/approvals";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// { "reason": "…" } is required: the requester reads it.
export const POST = withAuth<{ id: string }>(async ({ req, ctx, params }) => {
  const { reason } = await readJsonObject(req);
  return Response.json(await denyRequest({ ctx, input: { id: params.id, reason } }));
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
