import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { reconfirmed } from "@/lib/auth/second-factor";
import { deleteHost, getHost, updateHost } from "@/lib/hosts";
import { updateHostSchema } from "@/lib/validation/hosts";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getHost({ ctx, input: params })),
  // Changes re-check a browser session's second factor when its last proof is over 15 minutes old.
  PATCH: async ({ req, ctx, params, via }) => {
    reconfirmed(via);
    return Response.json(await updateHost({ ctx, input: { id: params.id, changes: await readBody(req, updateHostSchema) } }));
  },
  DELETE: async ({ ctx, params, via }) => {
    reconfirmed(via);
    return Response.json(await deleteHost({ ctx, input: params }));
  },
});
