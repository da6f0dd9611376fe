import { apiRoute } from "@/lib/api/api-route";
import { joinTunnel } from "@/lib/tunnels/tunnel-sharing";

// A member of the team it is shared with lets their current address in.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  POST: async ({ ctx, params }) => Response.json(await joinTunnel({ ctx, input: params })),
});
