import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { sendTestNotification } from "@/lib/notifications/notification-settings";
import { testNotificationSchema } from "@/lib/validation/notifications";

// Sends you a test email or Slack message now: what the server or webhook answered, if it refused.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  POST: async ({ req, ctx }) => Response.json(await sendTestNotification({ ctx, input: await readBody(req, testNotificationSchema) })),
});
