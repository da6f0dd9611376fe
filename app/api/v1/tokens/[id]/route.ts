import { withAuth } from "@/lib/api/with-auth";
import { revokeApiToken } from "@/lib/auth/api-tokens";

export const DELETE = withAuth<{ id: string }>(async ({ ctx, params }) => Response.json(await revokeApiToken({ ctx, input: params })));
