"use client";

import Link from "next/link";
import { FormAlert } from "@/app/components/form-alert";
import { formatAgo, formatWhen } from "@/lib/format";
import type { NotificationDto } from "@/lib/notifications/notification-kinds";

type Props = {
  unread: number;
  /** null while the first page loads. */
  notifications: NotificationDto[] | null;
  nextCursor: string | null;
  error: string;
  onLoadMore: (cursor: string) => void;
  onRead: (ids: string[] | "all") => void;
  /** A link was followed: the panel closes. */
  onFollow: () => void;
};

const QUIET_BUTTON = "rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800";

/** The bell's drawer: newest first, unread ones marked; following one marks it read. */
export function NotificationList({ unread, notifications, nextCursor, error, onLoadMore, onRead, onFollow }: Props) {
  return (
    <div className="space-y-2">
      {unread > 0 ? (
        <button type="button" onClick={() => onRead("all")} className={QUIET_BUTTON}>
          Mark all read
        </button>
      ) : null}
      <FormAlert>{error}</FormAlert>
      {notifications === null ? (
        error ? null : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
        )
      ) : notifications.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing to tell you yet.</p>
      ) : (
        <ul aria-label="Notifications" className="divide-y divide-zinc-100 overflow-y-auto dark:divide-zinc-800">
          {notifications.map((notification) => (
            <li key={notification.id} data-testid="notification-item" data-read={notification.read}>
              <Link
                href={notification.url}
                onClick={() => {
                  if (!notification.read) onRead([notification.id]);
                  onFollow();
                }}
                className="flex gap-2 rounded px-1 py-2 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800"
              >
                <span aria-hidden className={`mt-1.5 h-2 w-2 shrink-0 rounded-full ${notification.read ? "" : "bg-brand-600 dark:bg-brand-300"}`} />
                <span className="min-w-0 flex-1 [overflow-wrap:anywhere]">
                  <span className={`block ${notification.read ? "" : "font-semibold"}`}>
                    {notification.read ? null : <span className="sr-only">Unread: </span>}
                    {notification.title}
                  </span>
                  <span className="block text-zinc-600 dark:text-zinc-400">{notification.body}</span>
                  <time dateTime={notification.at} title={formatWhen(notification.at)} className="block text-xs text-zinc-600 dark:text-zinc-400">
                    {formatAgo(notification.at)}
                  </time>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <div className="flex items-center gap-2">
        {nextCursor ? (
          <button type="button" onClick={() => onLoadMore(nextCursor)} className={QUIET_BUTTON}>
            Load more
          </button>
        ) : null}
        <Link href="/account#notifications" onClick={onFollow} className="ml-auto text-xs underline underline-offset-4">
          Notification settings
        </Link>
      </div>
    </div>
  );
}
