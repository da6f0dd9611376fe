"use client";

// The header's bell: how many notifications wait unread, and a panel listing
// them. A new one also shows a toast. Escape, a click elsewhere or moving the
// focus out closes the panel; Escape puts the focus back on the bell.
import { Bell } from "lucide-react";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useToast } from "@/app/components/toast-provider";
import { useNotifications } from "@/app/lib/use-notifications";
import { NotificationList } from "./notification-list";

export function NotificationBell({ initialUnread }: { initialUnread: number }) {
  const toast = useToast();
  const { unread, notifications, nextCursor, error, load, markRead } = useNotifications(initialUnread, (notification) =>
    toast({ title: notification.title, body: notification.body, href: notification.url, onOpen: () => void markRead([notification.id]) }),
  );
  const [open, setOpen] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    panelRef.current?.focus();
    void load();
    const closeOutside = (event: PointerEvent) => {
      if (!containerRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", closeOutside);
    return () => document.removeEventListener("pointerdown", closeOutside);
  }, [open, load]);

  function closeOnEscape(event: KeyboardEvent) {
    if (event.key !== "Escape" || !open) return;
    setOpen(false);
    buttonRef.current?.focus();
  }

  return (
    <div ref={containerRef} className="relative">
      <button
        ref={buttonRef}
        type="button"
        onKeyDown={closeOnEscape}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((was) => !was)}
        data-testid="notification-bell"
        className="relative rounded-md p-1 text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
      >
        <Bell aria-hidden className="h-5 w-5" strokeWidth={1.8} />
        {unread > 0 ? (
          <span
            aria-hidden
            data-testid="notification-count"
            className="absolute -top-1 -right-1 min-w-4 rounded-full bg-red-700 px-1 text-center text-[0.65rem] leading-4 font-semibold text-white"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          ref={panelRef}
          id={panelId}
          role="dialog"
          aria-labelledby={`${panelId}-heading`}
          tabIndex={-1}
          onKeyDown={closeOnEscape}
          onBlur={(event) => {
            if (event.relatedTarget && !containerRef.current?.contains(event.relatedTarget)) setOpen(false);
          }}
          className="absolute right-0 z-40 mt-2 w-96 max-w-[calc(100vw-2rem)] rounded-lg border border-zinc-200 bg-white p-3 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
        >
          <NotificationList
            headingId={`${panelId}-heading`}
            unread={unread}
            notifications={notifications}
            nextCursor={nextCursor}
            error={error}
            onLoadMore={(cursor) => void load(cursor)}
            onRead={(ids) => void markRead(ids)}
            onFollow={() => setOpen(false)}
          />
        </div>
      ) : null}
    </div>
  );
}
