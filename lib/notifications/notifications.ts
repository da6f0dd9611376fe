// Telling people: one row per recipient, shown in their bell when they chose
// the dashboard for its kind, with a delivery for each other channel they
// chose (sent by server/notifications/). Made after the change it tells of
// has committed, as the live events are: a notice is news of a change, not
// part of it. A timed notice carries a dedupe key, so the nodes that check
// at the same moment make it once.
import type { Ctx } from "@/lib/context";
import { log } from "@/lib/log";
import { requireUserId } from "@/lib/auth/require-user";
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import { isUniqueViolation } from "@/lib/db/unique-violation";
import type { Notification } from "@/lib/generated/prisma/client";
import { NOTIFICATION_KIND_NAMES, type NotificationDto, type NotificationKind } from "@/lib/notifications/notification-kinds";
import { channelsFor, storedChoices } from "@/lib/notifications/notification-settings";
import { processGlobals } from "@/lib/process-globals";
import { userRoom } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import type { ReadNotificationsInput } from "@/lib/validation/notifications";
import { encodeCursor, type PageQuery } from "@/lib/validation/page";

export type Notice = {
  kind: NotificationKind;
  title: string;
  body: string;
  /** A path in Warren. */
  url: string;
  /** Makes it once per recipient, for notices a timed check finds. */
  dedupeKey?: string;
};

function toDto(row: Notification): NotificationDto {
  const kind = NOTIFICATION_KIND_NAMES.find((name) => name === row.kind)!;
  return { id: row.id, kind, title: row.title, body: row.body, url: row.url, at: row.createdAt.toISOString(), read: row.readAt !== null };
}

const wakeSenders = () => {
  for (const wake of processGlobals.warrenNotificationsMade ?? []) wake();
};

/** Its row and deliveries, or null when a node made it already. */
async function createOnce(data: { userId: string | null; inDashboard: boolean; channels: string[] } & Notice) {
  const { channels, ...notice } = data;
  try {
    return await getPrisma().notification.create({ data: { ...notice, deliveries: { create: channels.map((channel) => ({ channel })) } } });
  } catch (error) {
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}

/** A notice-making function that logs its failure instead of throwing: the
 *  change it tells of has committed, and whoever made it must not fail for its news. */
export function newsOnly<A extends unknown[]>(what: string, make: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return (...args) => make(...args).catch((error: unknown) => log().error({ err: error }, `${what}: the notification could not be made`));
}

/** Tells these people, each on the channels they chose; disabled people are not told. */
export async function notify(userIds: string[], notice: Notice): Promise<void> {
  if (userIds.length === 0) return;
  const users = await getPrisma().user.findMany({
    where: { id: { in: [...new Set(userIds)] }, disabled: false },
    select: { id: true, notificationChoices: true, slackWebhookEnc: true },
  });
  const smtp = getConfig().notifications.smtp !== null;
  let sends = false;
  for (const user of users) {
    const chosen = channelsFor(notice.kind, storedChoices(user.notificationChoices));
    const channels = [...(chosen.email && smtp ? ["email"] : []), ...(chosen.slack && user.slackWebhookEnc ? ["slack"] : [])];
    if (!chosen.dashboard && channels.length === 0) continue;
    const row = await createOnce({ ...notice, userId: user.id, inDashboard: chosen.dashboard, channels });
    if (!row) continue;
    sends ||= channels.length > 0;
    if (row.inDashboard) publish([userRoom(user.id)], "notification:new", { notification: toDto(row), unread: await unreadCount(user.id) });
  }
  if (sends) wakeSenders();
}

/** Posts to the approvers' shared Slack-compatible channel (WARREN_SLACK_WEBHOOK_URL), when there is one. */
export async function notifyApproversChannel(notice: Notice): Promise<void> {
  if (!getConfig().notifications.approversSlackUrl) return;
  if (await createOnce({ ...notice, userId: null, inDashboard: false, channels: ["slack"] })) wakeSenders();
}

export function unreadCount(userId: string): Promise<number> {
  return getPrisma().notification.count({ where: { userId, inDashboard: true, readAt: null } });
}

/** The caller's bell, newest first, a page at a time (`nextCursor` is null on the last page). */
export async function listNotifications({ ctx, input: { cursor, limit } }: { ctx: Ctx; input: PageQuery }) {
  const userId = requireUserId(ctx, "has notifications");
  const rows = await getPrisma().notification.findMany({
    where: {
      userId,
      inDashboard: true,
      ...(cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    notifications: page.map(toDto),
    unread: await unreadCount(userId),
    nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null,
  };
}

/** Marks the caller's notifications read (these, or all); every bell of theirs shows the new count. */
export async function markNotificationsRead({ ctx, input }: { ctx: Ctx; input: ReadNotificationsInput }) {
  const userId = requireUserId(ctx, "has notifications");
  await getPrisma().notification.updateMany({
    where: { userId, readAt: null, ...("ids" in input ? { id: { in: input.ids } } : {}) },
    data: { readAt: new Date() },
  });
  const unread = await unreadCount(userId);
  publish([userRoom(userId)], "notification:read", { unread });
  return { unread };
}

/** Every enabled admin's id, but `except`'s (who does not approve their own request). */
export async function adminIds(except?: string): Promise<string[]> {
  const admins = await getPrisma().user.findMany({
    where: { role: "admin", disabled: false, ...(except ? { id: { not: except } } : {}) },
    select: { id: true },
  });
  return admins.map((admin) => admin.id);
}
