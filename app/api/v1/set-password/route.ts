import { publicApiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { clientInfo } from "@/lib/auth/client-info";
import { redeemPasswordLink } from "@/lib/auth/password-links";
import { setPasswordSchema } from "@/lib/validation/users";

// Whoever holds a one-time link (an invitation, a reset) sets the password it is for.
export const { GET, POST, PUT, PATCH, DELETE } = publicApiRoute({
  POST: async ({ req }) => {
    const input = await readBody(req, setPasswordSchema);
    const ctx = { actor: { type: "system" as const, name: "password link" }, ...clientInfo(req.headers) };
    return Response.json(await redeemPasswordLink({ ctx, input }));
  },
});
