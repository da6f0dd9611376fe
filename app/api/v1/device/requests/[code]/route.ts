import { apiRoute } from "@/lib/api/api-route";
import { assertSession } from "@/lib/auth/authenticate";
import { findDeviceRequest } from "@/lib/auth/device-flow";
import { userCodeParamsSchema } from "@/lib/validation/devices";

// The sign-in a typed code names, for the person to decide (what /device shows).
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ code: string }>({
  GET: async ({ ctx, params, via }) => {
    assertSession(via, "looking up a device's sign-in");
    return Response.json({ request: await findDeviceRequest({ ctx, input: userCodeParamsSchema.parse(params) }) });
  },
});
