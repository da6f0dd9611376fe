import { apiRoute } from "@/lib/api/api-route";
import { revokeDevice } from "@/lib/auth/devices";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  DELETE: async ({ ctx, params }) => Response.json(await revokeDevice({ ctx, input: params })),
});
