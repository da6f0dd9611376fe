import { publicApiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { clientInfo } from "@/lib/auth/client-info";
import { deviceCtx, startDeviceAuthorization } from "@/lib/auth/device-flow";
import { deviceCodeRequestSchema } from "@/lib/validation/devices";

// A device asks to sign in (`warren login`; RFC 8628's device authorization request). No auth: it has none yet.
export const { GET, POST, PUT, PATCH, DELETE } = publicApiRoute({
  POST: async ({ req }) => {
    const input = await readBody(req, deviceCodeRequestSchema, { optional: true });
    return Response.json(await startDeviceAuthorization({ ctx: deviceCtx(clientInfo(req.headers).ip), input }), { headers: { "cache-control": "no-store" } });
  },
});
