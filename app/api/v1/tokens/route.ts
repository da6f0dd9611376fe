import { ApiError } from "@/lib/api/api-error";
import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { createApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { createApiTokenSchema } from "@/lib/validation/api-tokens";

// The caller's own personal tokens; a new token's secret is in this answer only.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx, user }) => Response.json({ tokens: await listApiTokens({ ctx, input: { userId: user.id, kind: "personal" } }) }),
  POST: async ({ req, ctx, user, via }) => {
    // A device token expires; a token it made would not, so it makes none.
    if (via.via === "token" && via.token.kind === "device") {
      throw new ApiError({ code: "forbidden", message: "a device token cannot create API tokens: create them on the account page" });
    }
    const input = await readBody(req, createApiTokenSchema);
    const { token, record } = await createApiToken({ ctx, input: { userId: user.id, ...input } });
    return Response.json({ ...record, token }, { status: 201 });
  },
});
