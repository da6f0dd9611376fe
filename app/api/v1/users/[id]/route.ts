import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { changeRole, disableUser, enableUser, getUser } from "@/lib/users";
import { updateUserSchema } from "@/lib/validation/users";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getUser({ ctx, input: params })),
  // Disabling ends sessions, tokens, sockets and tunnels at once; enabling lets the person sign in again; or a new role.
  PATCH: async ({ req, ctx, params }) => {
    const user = await getUser({ ctx, input: params }); // admins only, before anything is read
    const change = await readBody(req, updateUserSchema);
    if (change.role) return Response.json(await changeRole({ ctx, input: { id: user.id, role: change.role } }));
    const toggle = change.disabled ? disableUser : enableUser;
    return Response.json(await toggle({ ctx, input: { email: user.email } }));
  },
});
