import { apiRoute } from "@/lib/api/api-route";
import { readQuery } from "@/lib/api/read-input";
import { listTunnelConnections } from "@/lib/tunnels/tunnel-connections";
import { listConnectionsQuerySchema } from "@/lib/validation/tunnels";

// ?state=open: the connections open now; without it, the recent closed ones follow.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ req, ctx, params }) =>
    Response.json(await listTunnelConnections({ ctx, input: { id: params.id, ...readQuery(req, listConnectionsQuerySchema) } })),
});
