import { apiRoute } from "@/lib/api/api-route";
import { reopenTunnel } from "@/lib/tunnels/reopen-tunnel";

// A new tunnel with an ended one's spec, answered as the new tunnel.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  POST: async ({ ctx, params }) => Response.json(await reopenTunnel({ ctx, input: params }), { status: 201 }),
});
