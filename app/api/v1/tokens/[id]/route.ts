import { apiRoute } from "@/lib/api/api-route";
import { revokeApiToken } from "@/lib/auth/api-tokens";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  DELETE: async ({ ctx, params }) => Response.json(await revokeApiToken({ ctx, input: params })),
});
