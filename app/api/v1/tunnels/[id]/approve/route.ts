import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { approveRequest } from "@/lib/tunnels/approvals";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// Approves what waits on the tunnel (opening it, or an extension); an optional { "reason": "…" } is shown to the requester.
export const POST = withAuth<{ id: string }>(async ({ req, ctx, params }) => {
  const body = await readJsonObject(req, { optional: true });
  return Response.json(await approveRequest({ ctx, input: { id: params.id, reason: body.reason } }));
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
