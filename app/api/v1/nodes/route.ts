import { apiRoute } from "@/lib/api/api-route";
import { listNodes } from "@/lib/host-nodes";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx }) => Response.json({ nodes: await listNodes({ ctx }) }),
});
