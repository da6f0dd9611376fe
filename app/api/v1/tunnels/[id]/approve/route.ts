import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { reconfirmed } from "@/lib/auth/second-factor";
import { approveRequest } from "@/lib/tunnels/approvals";
import { optionalReasonSchema } from "@/lib/validation/tunnels";

// Approves what waits on the tunnel (opening it, or an extension); an optional { "reason": "…" } is shown to the requester.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  POST: async ({ req, ctx, params, via }) => {
    reconfirmed(via);
    const { reason } = await readBody(req, optionalReasonSchema, { optional: true });
    return Response.json(await approveRequest({ ctx, input: { id: params.id, reason } }));
  },
});
