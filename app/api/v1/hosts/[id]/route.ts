import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { deleteHost, getHost, updateHost } from "@/lib/hosts";
import { updateHostSchema } from "@/lib/validation/hosts";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getHost({ ctx, input: params })),
  PATCH: async ({ req, ctx, params }) => Response.json(await updateHost({ ctx, input: { id: params.id, changes: await readBody(req, updateHostSchema) } })),
  DELETE: async ({ ctx, params }) => Response.json(await deleteHost({ ctx, input: params })),
});
