import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { notificationSettings, updateNotificationSettings } from "@/lib/notifications/notification-settings";
import { notificationSettingsSchema } from "@/lib/validation/notifications";

// What Warren tells you on which channel, and your own Slack webhook.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ user }) => Response.json(await notificationSettings(user.id, user.role)),
  PATCH: async ({ req, ctx }) => Response.json(await updateNotificationSettings({ ctx, input: await readBody(req, notificationSettingsSchema) })),
});
