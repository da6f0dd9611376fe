import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { createUser, listUsers } from "@/lib/users";
import { createUserSchema } from "@/lib/validation/users";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx }) => Response.json({ users: await listUsers({ ctx }) }),
  POST: async ({ req, ctx }) => Response.json(await createUser({ ctx, input: await readBody(req, createUserSchema) }), { status: 201 }),
});
