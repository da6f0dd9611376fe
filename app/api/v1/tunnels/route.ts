import { apiRoute } from "@/lib/api/api-route";
import { readBody, readQuery } from "@/lib/api/read-input";
import { createTunnel, listTunnels } from "@/lib/tunnels/tunnels";
import { listTunnelsQuerySchema } from "@/lib/validation/page";
import { createTunnelSchema } from "@/lib/validation/tunnels";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  // ?status=all includes closed, failed and expired tunnels; newest first, ?limit= (1-200, default 100)
  // a page, ?cursor= the previous page's nextCursor.
  GET: async ({ req, ctx }) => Response.json(await listTunnels({ ctx, input: readQuery(req, listTunnelsQuerySchema) })),
  POST: async ({ req, ctx }) => Response.json(await createTunnel({ ctx, input: await readBody(req, createTunnelSchema) }), { status: 201 }),
});
