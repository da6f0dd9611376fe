import { publicApiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { pollDeviceToken } from "@/lib/auth/device-flow";
import { deviceTokenRequestSchema } from "@/lib/validation/devices";

// The device polls with its device code until the sign-in is decided; its token is in one answer only.
export const { GET, POST, PUT, PATCH, DELETE } = publicApiRoute({
  POST: async ({ req }) => {
    const input = await readBody(req, deviceTokenRequestSchema);
    return Response.json(await pollDeviceToken({ input }), { headers: { "cache-control": "no-store" } });
  },
});
