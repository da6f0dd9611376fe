import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { disableUser, getUser } from "@/lib/users";
import { disableUserSchema } from "@/lib/validation/users";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getUser({ ctx, input: params })),
  // Disabling is the one change for now, and it is final: sessions, tokens,
  // sockets and tunnels all end at once.
  PATCH: async ({ req, ctx, params }) => {
    const user = await getUser({ ctx, input: params }); // admins only, before anything is read
    await readBody(req, disableUserSchema);
    return Response.json(await disableUser({ ctx, input: { email: user.email } }));
  },
});
