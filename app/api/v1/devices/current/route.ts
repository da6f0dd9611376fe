import { apiRoute } from "@/lib/api/api-route";
import { revokeCurrentDevice } from "@/lib/auth/devices";

// `warren logout`: the device token this request carries revokes itself.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  DELETE: async ({ ctx, via }) => Response.json(await revokeCurrentDevice({ ctx, via })),
});
