import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { reconfirmed } from "@/lib/auth/second-factor";
import { createHost, listHosts } from "@/lib/hosts";
import { createHostSchema } from "@/lib/validation/hosts";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx }) => Response.json({ hosts: await listHosts({ ctx }) }),
  POST: async ({ req, ctx, via }) => {
    reconfirmed(via);
    return Response.json(await createHost({ ctx, input: await readBody(req, createHostSchema) }), { status: 201 });
  },
});
