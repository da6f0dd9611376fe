import { apiRoute } from "@/lib/api/api-route";
import { tunnelAttention } from "@/lib/tunnels/tunnel-attention";

// What the badge on the nav's Tunnels link counts: your failed tunnels still listed, and when your open ones expire.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx }) => Response.json(await tunnelAttention({ ctx })),
});
