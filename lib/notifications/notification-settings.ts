// Each person's choice of channel per kind of notification, and their own
// Slack-compatible webhook (sealed at rest). Stored as their changes from
// the kinds' defaults, so a default changed later reaches everyone who did
// not choose otherwise.
import { ApiError } from "@/lib/api/api-error";
import { recordAudit } from "@/lib/audit/audit-log";
import { requireUserId } from "@/lib/auth/require-user";
import type { Ctx } from "@/lib/context";
import { getConfig } from "@/lib/config";
import { open, seal } from "@/lib/crypto/secret-box";
import { getPrisma } from "@/lib/db/prisma";
import {
  type ChannelChoices,
  NOTIFICATION_KINDS,
  NOTIFICATION_KIND_NAMES,
  type NotificationKind,
  type NotificationSettingsDto,
} from "@/lib/notifications/notification-kinds";
import { ownedTeams, teamRoles } from "@/lib/teams/team-access";
import { describeFailure } from "@/lib/describe-failure";
import { type Message, sendEmail, sendSlack } from "@/lib/notifications/notification-senders";
import { type NotificationSettingsInput, notificationSettingsSchema } from "@/lib/validation/notifications";

export const SLACK_SEALED_AS = "user.slackWebhook";

export type StoredChoices = NonNullable<NotificationSettingsInput["choices"]>;
const storedChoicesSchema = notificationSettingsSchema.shape.choices.unwrap();

/** What a person chose, read leniently: a row written by an older Warren with a kind since removed loses only that kind. */
export function storedChoices(json: string): StoredChoices {
  const parsed = storedChoicesSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : {};
}

export function channelsFor(kind: NotificationKind, stored: StoredChoices): ChannelChoices {
  return { ...NOTIFICATION_KINDS[kind].defaults, ...stored[kind] };
}

/** The kinds a person can receive: approvers' only for admins and team owners, admins' only for admins. */
async function kindsFor(userId: string, role: "admin" | "user"): Promise<NotificationKind[]> {
  const approves = role === "admin" || ownedTeams(await teamRoles(userId)).length > 0;
  return NOTIFICATION_KIND_NAMES.filter((kind) => {
    const { audience } = NOTIFICATION_KINDS[kind];
    return audience === "everyone" || (audience === "approvers" && approves) || role === "admin";
  });
}

export async function notificationSettings(userId: string, role: "admin" | "user"): Promise<NotificationSettingsDto> {
  const user = await getPrisma().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, notificationChoices: true, slackWebhookEnc: true } });
  const stored = storedChoices(user.notificationChoices);
  const { notifications } = getConfig();
  return {
    choices: (await kindsFor(userId, role)).map((kind) => ({ kind, label: NOTIFICATION_KINDS[kind].label, channels: channelsFor(kind, stored) })),
    email: { available: notifications.smtp !== null, address: user.email },
    slack: { webhookSet: user.slackWebhookEnc !== null, allowedHosts: notifications.slackWebhookHosts },
  };
}

const bareHost = (host: string) => host.replace(/^\[|\]$/g, "").toLowerCase();

/** Whether a person's webhook is on a host WARREN_SLACK_WEBHOOK_HOSTS allows (checked when set, and again at each sending). */
export function webhookHostAllowed(url: string): boolean {
  return getConfig()
    .notifications.slackWebhookHosts.map(bareHost)
    .includes(bareHost(new URL(url).hostname));
}

function assertAllowedHost(url: string) {
  const allowed = getConfig().notifications.slackWebhookHosts;
  if (!webhookHostAllowed(url)) {
    throw new ApiError({
      code: "unprocessable_entity",
      field: "slackWebhookUrl",
      message: `must be on ${allowed.length === 1 ? allowed[0] : `one of ${allowed.join(", ")}`} (the hosts WARREN_SLACK_WEBHOOK_HOSTS allows)`,
    });
  }
}

/** Changes the caller's own choices and webhook; audited, with whether the webhook was set or removed (never its URL). */
export async function updateNotificationSettings({ ctx, input }: { ctx: Ctx; input: NotificationSettingsInput }) {
  const userId = requireUserId(ctx, "has notification settings");
  const role = ctx.actor.type === "user" ? ctx.actor.role : "user";
  const receivable = await kindsFor(userId, role);
  const refused = Object.keys(input.choices ?? {}).find((kind) => !receivable.includes(kind as NotificationKind));
  if (refused)
    throw new ApiError({
      code: "unprocessable_entity",
      field: `choices.${refused}`,
      message: `is sent only to ${NOTIFICATION_KINDS[refused as NotificationKind].audience}`,
    });
  if (input.slackWebhookUrl) assertAllowedHost(input.slackWebhookUrl);
  const user = await getPrisma().user.findUniqueOrThrow({ where: { id: userId }, select: { notificationChoices: true } });
  const stored = storedChoices(user.notificationChoices);
  for (const [kind, channels] of Object.entries(input.choices ?? {}) as [NotificationKind, Partial<ChannelChoices>][]) {
    stored[kind] = { ...stored[kind], ...channels };
  }
  const webhook = input.slackWebhookUrl === undefined ? {} : { slackWebhookEnc: input.slackWebhookUrl ? seal(input.slackWebhookUrl, SLACK_SEALED_AS) : null };
  const details = {
    kinds: Object.keys(input.choices ?? {}),
    slackWebhook: input.slackWebhookUrl === undefined ? "unchanged" : input.slackWebhookUrl ? "set" : "removed",
  };
  await recordAudit(ctx, { action: "user.notifications_changed", subjectId: userId, details }, (tx) =>
    tx.user.update({ where: { id: userId }, data: { notificationChoices: JSON.stringify(stored), ...webhook } }),
  );
  return notificationSettings(userId, role);
}

/** A person's own webhook, opened for sending (null: none set). */
export function slackWebhookOf(user: { slackWebhookEnc: string | null }): string | null {
  return user.slackWebhookEnc ? open(user.slackWebhookEnc, SLACK_SEALED_AS) : null;
}

/** Sends the caller a test notification on one channel now, to see that it arrives; throws with what the server or webhook answered. */
/** How a test goes out on `channel`, or why it cannot; only Slack's unseals the webhook. */
function testSender(channel: "email" | "slack", user: { email: string; slackWebhookEnc: string | null }) {
  if (channel === "email") {
    if (!getConfig().notifications.smtp) {
      throw new ApiError({ code: "unprocessable_entity", field: "channel", message: "no mail server is set (WARREN_SMTP_URL), so Warren sends no email" });
    }
    return (message: Message) => sendEmail(user.email, message);
  }
  const webhook = slackWebhookOf(user);
  if (!webhook) throw new ApiError({ code: "unprocessable_entity", field: "channel", message: "set your Slack webhook first" });
  return (message: Message) => sendSlack(webhook, message);
}

export async function sendTestNotification({ ctx, input }: { ctx: Ctx; input: { channel: "email" | "slack" } }) {
  const userId = requireUserId(ctx, "has notification settings");
  const user = await getPrisma().user.findUniqueOrThrow({ where: { id: userId }, select: { email: true, slackWebhookEnc: true } });
  const message = {
    title: "A test from Warren",
    body: `You asked Warren for a test ${input.channel} notification: this is it.`,
    url: "/account#notifications",
  };
  const send = testSender(input.channel, user);
  try {
    await send(message);
  } catch (error) {
    throw new ApiError({ code: "bad_gateway", message: `the test was not sent: ${describeFailure(error)}` });
  }
  return { sent: true };
}
