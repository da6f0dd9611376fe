import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { disableUser, enableUser, getUser } from "@/lib/users";
import { updateUserSchema } from "@/lib/validation/users";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getUser({ ctx, input: params })),
  // Disabling ends sessions, tokens, sockets and tunnels at once; enabling lets the person sign in again.
  PATCH: async ({ req, ctx, params }) => {
    const user = await getUser({ ctx, input: params }); // admins only, before anything is read
    const { disabled } = await readBody(req, updateUserSchema);
    const change = disabled ? disableUser : enableUser;
    return Response.json(await change({ ctx, input: { email: user.email } }));
  },
});
