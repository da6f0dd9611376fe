"use client";

// The bell's state: the unread count (live from the socket), and the list,
// fetched when the bell opens and kept current while it is loaded.
import { useCallback, useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { useNotificationEvents } from "@/app/lib/realtime-provider";
import type { NotificationDto } from "@/lib/notifications/notification-kinds";

type Page = { notifications: NotificationDto[]; unread: number; nextCursor: string | null };

const PAGE = 20;

const byId = (list: NotificationDto[]) => [...new Map(list.map((notification) => [notification.id, notification])).values()];

/** `onArrive` hears each new notification (for a toast). */
export function useNotifications(initialUnread: number, onArrive: (notification: NotificationDto) => void) {
  const [unread, setUnread] = useState(initialUnread);
  /** null until first loaded. */
  const [notifications, setNotifications] = useState<NotificationDto[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState("");

  /** The first page, or the one after `cursor` (the previous page's nextCursor). */
  const load = useCallback(async (cursor?: string) => {
    try {
      const page = await apiFetch<Page>(`/me/notifications?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      setUnread(page.unread);
      setNotifications((current) => (cursor ? byId([...(current ?? []), ...page.notifications]) : page.notifications));
      setNextCursor(page.nextCursor);
      setError("");
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, []);

  /** Marks some read, or all of them; the server answers with the count left. */
  const markRead = useCallback(async (ids: string[] | "all") => {
    setNotifications(
      (current) => current?.map((notification) => (ids === "all" || ids.includes(notification.id) ? { ...notification, read: true } : notification)) ?? null,
    );
    try {
      const answer = await apiFetch<{ unread: number }>("/me/notifications/read", { method: "POST", body: ids === "all" ? { all: true } : { ids } });
      setUnread(answer.unread);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, []);

  useNotificationEvents({
    onNew: ({ notification, unread }) => {
      setUnread(unread);
      setNotifications((current) => (current ? byId([notification, ...current]) : null));
      onArrive(notification);
    },
    onRead: (left) => {
      setUnread(left);
      // None left unread anywhere: the loaded ones are read too (other counts are refetched when the bell opens).
      if (left === 0) setNotifications((current) => current?.map((notification) => ({ ...notification, read: true })) ?? null);
    },
    onResync: () => void load(),
  });

  return { unread, notifications, nextCursor, error, load, markRead };
}
