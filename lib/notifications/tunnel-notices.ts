// What Warren tells people about tunnels and requests, in words that read
// alone in a mail or a chat: who, which host, which tunnel, and what next.
// Times are in UTC and say so; the dashboard shows when each came.
import { getPrisma } from "@/lib/db/prisma";
import { formatDuration } from "@/lib/format";
import { adminIds, newsOnly, notify, notifyApproversChannel, type Notice } from "@/lib/notifications/notifications";
import type { RequestResolvedEvent } from "@/lib/realtime/events";
import { EXPIRY_WARNING_MINUTES, EXPIRY_WARNING_MS } from "@/lib/tunnels/attention-count";
import { approverIds } from "@/lib/teams/team-access";
import { tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";

const RECONNECTING_WARNING_MS = 60_000;

const utc = (at: Date) => `${at.toISOString().slice(11, 16)} UTC`;
const minutes = (count: number) => formatDuration(count * 60_000);
/** A stretch of time in whole minutes, rounded as asked: "expires in 10 min", "reconnecting for 3 min". */
const inMinutes = (ms: number, round: (x: number) => number) => minutes(Math.max(1, round(ms / 60_000)));

async function noticeTunnel(id: string) {
  const row = await getPrisma().tunnel.findUniqueOrThrow({
    where: { id },
    include: { host: { select: { name: true } }, owner: { select: { email: true } } },
  });
  const described = `${row.kind} tunnel ${tunnelEndpoint({ ...tunnelSpec(row), name: row.name })}`;
  return { ...row, described, url: `/tunnels/${row.id}` };
}

/** A request waits: admins and the requester's team owners hear of it, and the approvers' shared channel. */
export const noticeRequestWaiting = newsOnly("a request waits", async (tunnelId: string, type: "tunnel" | "extension") => {
  const tunnel = await noticeTunnel(tunnelId);
  const until = type === "tunnel" ? tunnel.pendingUntil : tunnel.extensionUntil;
  const notice: Notice = {
    kind: "approval.waiting",
    title:
      type === "tunnel"
        ? `${tunnel.owner.email} asks to open a tunnel through ${tunnel.host.name}`
        : `${tunnel.owner.email} asks for ${minutes(tunnel.extensionMinutes ?? 0)} more on a tunnel through ${tunnel.host.name}`,
    body: `The ${tunnel.described}${type === "tunnel" ? `, for ${minutes(tunnel.ttlMinutes)}` : ""}.${type === "tunnel" && tunnel.requestReason ? ` Why: "${tunnel.requestReason}".` : ""} Unanswered, the request expires${until ? ` at ${utc(until)}` : ""}.`,
    url: tunnel.url,
  };
  await notify([...(await adminIds(tunnel.ownerId)), ...(await approverIds(tunnel))], notice);
  await notifyApproversChannel(notice);
});

const outcomeWords = { approved: "approved", denied: "denied", expired: "not answered in time", withdrawn: "withdrawn" } as const;

/** A request was decided or lapsed: its requester hears why (not when they withdrew it themselves). */
export const noticeRequestResolved = newsOnly(
  "a request was resolved",
  async (tunnelId: string, type: "tunnel" | "extension", outcome: RequestResolvedEvent["outcome"], reason: string | null) => {
    if (outcome === "withdrawn") return;
    const tunnel = await noticeTunnel(tunnelId);
    const what = type === "tunnel" ? "request for a tunnel" : "request for more time";
    await notify([tunnel.ownerId], {
      kind: "approval.decided",
      title: `Your ${what} through ${tunnel.host.name} was ${outcomeWords[outcome]}`,
      body: `The ${tunnel.described}${reason ? `: ${reason}` : ""}.`,
      url: tunnel.url,
    });
  },
);

/** A tunnel failed: its owner hears why. */
export const noticeTunnelFailed = newsOnly("a tunnel failed", async (tunnelId: string, reason: string | null) => {
  const tunnel = await noticeTunnel(tunnelId);
  await notify([tunnel.ownerId], {
    kind: "tunnel.failed",
    title: `Your tunnel through ${tunnel.host.name} failed`,
    body: `The ${tunnel.described} failed${reason ? `: ${reason}` : ""}.`,
    url: tunnel.url,
  });
});

/** Whether a timed notice was made already (by this node or another), before asking who to tell. */
async function alreadyMade(dedupeKey: string) {
  return (await getPrisma().notification.count({ where: { dedupeKey } })) > 0;
}

/** Owners of tunnels that expire within 10 minutes (that were given more than that) hear of it, once per expiry time. */
async function noticeExpiring(now: Date) {
  const soon = await getPrisma().tunnel.findMany({
    where: {
      status: { in: OPEN_STATUSES },
      expiresAt: { gt: now, lte: new Date(now.getTime() + EXPIRY_WARNING_MS) },
      ttlMinutes: { gt: EXPIRY_WARNING_MINUTES },
    },
    select: { id: true, expiresAt: true },
  });
  for (const { id, expiresAt } of soon) {
    const dedupeKey = `tunnel.expiring:${id}:${expiresAt.getTime()}`;
    if (await alreadyMade(dedupeKey)) continue;
    const tunnel = await noticeTunnel(id);
    await notify([tunnel.ownerId], {
      kind: "tunnel.expiring",
      title: `Your tunnel through ${tunnel.host.name} expires in ${inMinutes(expiresAt.getTime() - now.getTime(), Math.ceil)}`,
      body: `The ${tunnel.described} closes at ${utc(expiresAt)}. Extend it from its page if you still need it.`,
      url: tunnel.url,
      dedupeKey,
    });
  }
}

/** When a tunnel's current stretch of reconnecting began: its first "reconnecting" since it was last anything else. */
async function reconnectingSince(tunnelId: string) {
  const events = getPrisma().tunnelEvent;
  const before = await events.findFirst({ where: { tunnelId, status: { not: "reconnecting" } }, orderBy: { at: "desc" }, select: { at: true } });
  return events.findFirst({
    where: { tunnelId, status: "reconnecting", ...(before ? { at: { gt: before.at } } : {}) },
    orderBy: { at: "asc" },
    select: { at: true },
  });
}

/** Owners of tunnels reconnecting for over a minute hear of it, once per stretch. */
async function noticeReconnecting(now: Date) {
  const reconnecting = await getPrisma().tunnel.findMany({ where: { status: "reconnecting" }, select: { id: true, statusReason: true } });
  for (const { id, statusReason } of reconnecting) {
    const since = await reconnectingSince(id);
    if (!since || now.getTime() - since.at.getTime() < RECONNECTING_WARNING_MS) continue;
    const dedupeKey = `tunnel.reconnecting:${id}:${since.at.getTime()}`;
    if (await alreadyMade(dedupeKey)) continue;
    const tunnel = await noticeTunnel(id);
    await notify([tunnel.ownerId], {
      kind: "tunnel.reconnecting",
      title: `Your tunnel through ${tunnel.host.name} has been reconnecting for ${inMinutes(now.getTime() - since.at.getTime(), Math.floor)}`,
      body: `The ${tunnel.described} carries nothing while it reconnects${statusReason ? ` (${statusReason})` : ""}. Warren keeps trying until it expires at ${utc(tunnel.expiresAt)}.`,
      url: tunnel.url,
      dedupeKey,
    });
  }
}

/** The timed notices (run with lib/tunnels/sweeps.ts). */
export async function noticeTimedTunnelEvents(now = new Date()) {
  await noticeExpiring(now);
  await noticeReconnecting(now);
}
