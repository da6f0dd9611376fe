import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { closeTunnel, getTunnel } from "@/lib/tunnels/tunnels";
import { optionalReasonSchema } from "@/lib/validation/tunnels";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getTunnel({ ctx, input: params })),
  // An optional { "reason": "…" } body is shown to the owner with the closing.
  DELETE: async ({ req, ctx, params }) => {
    const { reason } = await readBody(req, optionalReasonSchema, { optional: true });
    return Response.json(await closeTunnel({ ctx, input: { id: params.id, reason } }));
  },
});
