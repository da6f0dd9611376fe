import { apiRoute } from "@/lib/api/api-route";
import { assertSession } from "@/lib/auth/authenticate";
import { denyDeviceRequest } from "@/lib/auth/device-flow";
import { userCodeParamsSchema } from "@/lib/validation/devices";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ code: string }>({
  POST: async ({ ctx, params, via }) => {
    assertSession(via, "denying a device's sign-in");
    return Response.json(await denyDeviceRequest({ ctx, input: userCodeParamsSchema.parse(params) }));
  },
});
