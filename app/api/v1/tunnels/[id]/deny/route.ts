import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { denyRequest } from "@/lib/tunnels/approvals";
import { denyRequestSchema } from "@/lib/validation/tunnels";

// { "reason": "…" } is required: the requester reads it.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  POST: async ({ req, ctx, params }) => {
    const { reason } = await readBody(req, denyRequestSchema);
    return Response.json(await denyRequest({ ctx, input: { id: params.id, reason } }));
  },
});
