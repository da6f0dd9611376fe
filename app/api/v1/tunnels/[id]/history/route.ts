import { apiRoute } from "@/lib/api/api-route";
import { getTunnelHistory } from "@/lib/tunnels/tunnels";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getTunnelHistory({ ctx, input: params })),
});
