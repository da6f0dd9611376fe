import { apiRoute } from "@/lib/api/api-route";
import { assertSession } from "@/lib/auth/authenticate";
import { approveDeviceRequest } from "@/lib/auth/device-flow";
import { reconfirmed } from "@/lib/auth/second-factor";
import { userCodeParamsSchema } from "@/lib/validation/devices";

// Approving issues the device a token of the person's: from a browser session only, never with a token.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ code: string }>({
  POST: async ({ ctx, params, via }) => {
    assertSession(via, "approving a device's sign-in");
    reconfirmed(via);
    return Response.json(await approveDeviceRequest({ ctx, input: userCodeParamsSchema.parse(params) }));
  },
});
