// Sends the email and Slack deliveries of notifications (made by
// lib/notifications/notifications.ts), at once when this process made them
// and within a few seconds when another did. Each node sends what it claims
// first (a compare-and-set on claimedUntil), so a delivery goes out once
// even with several nodes; a failed one is tried again with backoff, up to
// ten times over about half an hour, then marked failed with its reason.
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { slackWebhookOf, webhookHostAllowed } from "@/lib/notifications/notification-settings";
import { processGlobals } from "@/lib/process-globals";
import type { Feature } from "@/server/feature";
import { sendEmail, sendSlack } from "@/lib/notifications/notification-senders";
import { describeFailure } from "@/lib/describe-failure";
import { backoffMs, pause } from "@/server/retry";

const POLL_MS = 3_000;
const BATCH = 20;
const CLAIM_MS = 60_000;
const MAX_ATTEMPTS = 10;
const BACKOFF = { firstMs: 5_000, maxMs: 10 * 60_000 };
/** Read notifications and unread ones this old are removed, with their deliveries. */
const KEEP_MS = 90 * 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

const include = { notification: { include: { user: { select: { email: true, disabled: true, slackWebhookEnc: true } } } } } as const;
type Delivery = Prisma.NotificationDeliveryGetPayload<{ include: typeof include }>;

/** Not claimed by a node now (a claim outlives a node that died while sending). */
const unclaimed = (now: Date) => ({ OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] });

/** Sends it, or throws why it cannot be sent. */
async function send({ channel, notification }: Delivery) {
  const { user } = notification;
  if (user?.disabled) throw new Error("its recipient was disabled");
  if (channel === "email") {
    if (!user) throw new Error("a shared channel gets no email");
    return sendEmail(user.email, notification);
  }
  const webhook = user ? slackWebhookOf(user) : getConfig().notifications.approversSlackUrl;
  if (!webhook) throw new Error(user ? "its recipient removed their Slack webhook" : "WARREN_SLACK_WEBHOOK_URL is no longer set");
  if (user && !webhookHostAllowed(webhook)) throw new Error("its recipient's Slack webhook is on a host WARREN_SLACK_WEBHOOK_HOSTS no longer allows");
  return sendSlack(webhook, notification);
}

async function deliver(delivery: Delivery) {
  const deliveries = getPrisma().notificationDelivery;
  const attempts = delivery.attempts + 1;
  try {
    await send(delivery);
    await deliveries.update({ where: { id: delivery.id }, data: { state: "sent", attempts, sentAt: new Date(), claimedUntil: null, lastError: null } });
  } catch (error) {
    const lastError = describeFailure(error).slice(0, 500);
    const final = attempts >= MAX_ATTEMPTS || delivery.notification.user?.disabled === true;
    const what = `${delivery.channel} notification ${delivery.id} (${delivery.notification.kind})`;
    log().warn(`${what} not sent: ${lastError}${final ? "; giving up" : `; attempt ${attempts} of ${MAX_ATTEMPTS}`}`);
    await deliveries.update({
      where: { id: delivery.id },
      data: final
        ? { state: "failed", attempts, lastError, claimedUntil: null }
        : { attempts, lastError, claimedUntil: null, nextAttemptAt: new Date(Date.now() + backoffMs(attempts, BACKOFF)) },
    });
  }
}

/** Sends what is due and unclaimed; answers whether there was any. */
async function sendDue(): Promise<boolean> {
  const now = new Date();
  const deliveries = getPrisma().notificationDelivery;
  const due = await deliveries.findMany({
    where: { state: "pending", nextAttemptAt: { lte: now }, ...unclaimed(now) },
    orderBy: { nextAttemptAt: "asc" },
    take: BATCH,
    include,
  });
  for (const delivery of due) {
    const { count } = await deliveries.updateMany({
      where: { id: delivery.id, state: "pending", ...unclaimed(now) },
      data: { claimedUntil: new Date(now.getTime() + CLAIM_MS) },
    });
    if (count === 1) await deliver(delivery);
  }
  return due.length === BATCH;
}

async function prune() {
  await getPrisma().notification.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - KEEP_MS) } } });
}

export function registerNotifications(): Feature {
  const abort = new AbortController();
  const wakers = new Set<() => void>();
  // Made while a round was sending: the next round starts without waiting.
  let madeMeanwhile = false;
  const made = () => {
    madeMeanwhile = true;
    for (const wake of [...wakers]) wake();
  };
  processGlobals.warrenNotificationsMade ??= new Set();
  processGlobals.warrenNotificationsMade.add(made);
  const running = (async () => {
    let prunedAt = 0;
    while (!abort.signal.aborted) {
      try {
        if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
          await prune();
          prunedAt = Date.now();
        }
        madeMeanwhile = false;
        if ((await sendDue()) || madeMeanwhile) continue;
      } catch (error) {
        log().error({ err: error }, "sending notifications failed");
      }
      await pause(POLL_MS, abort.signal, wakers);
    }
  })();
  return {
    name: "notifications",
    async stop() {
      processGlobals.warrenNotificationsMade?.delete(made);
      abort.abort();
      await running;
    },
  };
}
