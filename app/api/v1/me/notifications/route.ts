import { apiRoute } from "@/lib/api/api-route";
import { readQuery } from "@/lib/api/read-input";
import { listNotifications } from "@/lib/notifications/notifications";
import { pageQuerySchema } from "@/lib/validation/page";

// Your bell: what Warren told you, newest first, with how many you have not read.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ req, ctx }) => Response.json(await listNotifications({ ctx, input: readQuery(req, pageQuerySchema) })),
});
