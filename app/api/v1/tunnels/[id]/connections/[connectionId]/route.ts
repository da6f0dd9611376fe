import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { killConnection } from "@/lib/tunnels/tunnel-connections";
import { optionalReasonSchema } from "@/lib/validation/tunnels";

// Cuts one open connection (owner and admins); an optional { "reason": "…" } body goes into its record and the audit trail.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string; connectionId: string }>({
  DELETE: async ({ req, ctx, params }) => {
    const { reason } = await readBody(req, optionalReasonSchema, { optional: true });
    return Response.json(await killConnection({ ctx, input: { id: params.id, connectionId: params.connectionId, reason } }));
  },
});
