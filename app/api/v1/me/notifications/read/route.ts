import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { markNotificationsRead } from "@/lib/notifications/notifications";
import { readNotificationsSchema } from "@/lib/validation/notifications";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  POST: async ({ req, ctx }) => Response.json(await markNotificationsRead({ ctx, input: await readBody(req, readNotificationsSchema) })),
});
