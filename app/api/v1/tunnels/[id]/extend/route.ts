import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { extendTunnel } from "@/lib/tunnels/tunnels";
import { extendTunnelSchema } from "@/lib/validation/tunnels";

// { "ttlMinutes": 60 }: the tunnel now expires that long from now.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  POST: async ({ req, ctx, params }) => {
    const { ttlMinutes } = await readBody(req, extendTunnelSchema);
    return Response.json(await extendTunnel({ ctx, input: { id: params.id, ttlMinutes } }));
  },
});
