import { apiRoute } from "@/lib/api/api-route";
import { removeSecondFactor } from "@/lib/auth/second-factor";
import { getUser } from "@/lib/users";

// Admins: turn off the authenticator app of someone who lost it; they set up a new one at their next sign-in if Warren requires one.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  DELETE: async ({ ctx, params }) => {
    const user = await getUser({ ctx, input: params }); // admins only
    return Response.json(await removeSecondFactor({ ctx, input: { userId: user.id } }));
  },
});
