// Notification settings and the bell's reads, checked alike by the routes and the Account page.
import { z } from "zod";
import { NOTIFICATION_CHANNELS, NOTIFICATION_KIND_NAMES } from "@/lib/notifications/notification-kinds";

const channelChoicesSchema = z.partialRecord(z.enum(NOTIFICATION_CHANNELS), z.boolean({ error: "must be true or false" }));

/** A Slack-compatible incoming webhook: https (http only on loopback); whether its host is allowed is checked against WARREN_SLACK_WEBHOOK_HOSTS. */
export const slackWebhookUrlSchema = z
  .url({ protocol: /^https?$/, error: "must be an https:// URL" })
  .refine((url) => url.startsWith("https://") || /^http:\/\/(127(\.\d{1,3}){3}|localhost|\[::1\])(:\d+)?(\/|$)/.test(url), {
    error: "must be an https:// URL (http:// only on loopback)",
  });

export const notificationSettingsSchema = z.strictObject(
  {
    choices: z.partialRecord(z.enum(NOTIFICATION_KIND_NAMES, { error: "is not a kind of notification" }), channelChoicesSchema).optional(),
    /** null removes it. */
    slackWebhookUrl: z.string().trim().pipe(slackWebhookUrlSchema).nullable().optional(),
  },
  { error: "takes choices and slackWebhookUrl only" },
);
export type NotificationSettingsInput = z.infer<typeof notificationSettingsSchema>;

export const readNotificationsSchema = z.union(
  [
    z.strictObject({ ids: z.array(z.string().min(1)).min(1, { error: "must name at least one notification" }).max(100, { error: "can name at most 100" }) }),
    z.strictObject({ all: z.literal(true, { error: "must be true" }) }),
  ],
  { error: 'must be {"ids": [...]} or {"all": true}' },
);
export type ReadNotificationsInput = z.infer<typeof readNotificationsSchema>;

export const testNotificationSchema = z.strictObject({ channel: z.enum(["email", "slack"], { error: "must be email or slack" }) });
