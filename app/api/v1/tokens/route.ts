import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { createApiToken, listApiTokens } from "@/lib/auth/api-tokens";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// The caller's own tokens; a new token's secret is in this answer only.
export const GET = withAuth(async ({ ctx, user }) => Response.json({ tokens: await listApiTokens({ ctx, input: { userId: user.id } }) }));

export const POST = withAuth(async ({ req, ctx, user }) => {
  const { name } = await readJsonObject(req);
  const { token, record } = await createApiToken({ ctx, input: { userId: user.id, name: name as string | undefined } });
  return Response.json({ ...record, token }, { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
