import { withAuth } from "@/lib/api/with-auth";
import { revokeApiToken } from "@/lib/auth/api-tokens";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const DELETE = withAuth<{ id: string }>(async ({ ctx, params }) => Response.json(await revokeApiToken({ ctx, input: params })));

export const { GET, POST, PUT, PATCH } = methodNotAllowed("DELETE");
