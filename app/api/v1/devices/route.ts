import { apiRoute } from "@/lib/api/api-route";
import { readQuery } from "@/lib/api/read-input";
import { listDevices } from "@/lib/auth/devices";
import { listDevicesQuerySchema } from "@/lib/validation/devices";

// The caller's devices (admins: anyone's, with ?userId=).
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ req, ctx, user }) => {
    const { status, userId } = readQuery(req, listDevicesQuerySchema);
    return Response.json({ devices: await listDevices({ ctx, input: { userId: userId ?? user.id, status } }) });
  },
});
