// What Warren tells people about, who hears of each, and on which channels
// by default. The Account page lists these; each person may change their own.
export const NOTIFICATION_KINDS = {
  "approval.waiting": {
    label: "A request waits for my approval",
    audience: "approvers",
    defaults: { dashboard: true, email: true, slack: true },
  },
  "approval.decided": {
    label: "My request was approved, denied or expired",
    audience: "everyone",
    defaults: { dashboard: true, email: true, slack: true },
  },
  "tunnel.failed": {
    label: "My tunnel failed",
    audience: "everyone",
    defaults: { dashboard: true, email: true, slack: true },
  },
  "tunnel.reconnecting": {
    label: "My tunnel has been reconnecting for over a minute",
    audience: "everyone",
    defaults: { dashboard: true, email: false, slack: true },
  },
  "tunnel.expiring": {
    label: "My tunnel expires in 10 minutes",
    audience: "everyone",
    defaults: { dashboard: true, email: false, slack: false },
  },
  "audit.chain_broken": {
    label: "The audit chain does not verify",
    audience: "admins",
    defaults: { dashboard: true, email: true, slack: true },
  },
} as const satisfies Record<string, { label: string; audience: "everyone" | "approvers" | "admins"; defaults: Record<NotificationChannel, boolean> }>;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export const NOTIFICATION_KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as [NotificationKind, ...NotificationKind[]];

export const NOTIFICATION_CHANNELS = ["dashboard", "email", "slack"] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export type ChannelChoices = Record<NotificationChannel, boolean>;

/** One notification as the bell and the socket event carry it. */
export type NotificationDto = {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** A path in Warren: where to look (the tunnel, the approvals, the audit page). */
  url: string;
  at: string;
  read: boolean;
};

/** A person's notification settings, as GET and PATCH /api/v1/me/notification-settings answer them. */
export type NotificationSettingsDto = {
  /** Kinds this person can receive (approvers' and admins' kinds only for them), with their choices. */
  choices: { kind: NotificationKind; label: string; channels: ChannelChoices }[];
  email: { available: boolean; address: string };
  /** Their own Slack-compatible incoming webhook: set or not (the URL itself is never shown again). */
  slack: { webhookSet: boolean; allowedHosts: string[] };
};
