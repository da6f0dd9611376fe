"use client";

// The header's bell: how many notifications wait unread, and a drawer listing
// them. A new one also shows a toast.
import { Bell } from "lucide-react";
import { useEffect, useState } from "react";
import { CountBadge } from "@/app/components/count-badge";
import { Dialog } from "@/app/components/dialog";
import { useToast } from "@/app/components/toast-provider";
import { useNotifications } from "@/app/lib/use-notifications";
import { NotificationList } from "./notification-list";

export function NotificationBell({ initialUnread }: { initialUnread: number }) {
  const toast = useToast();
  const { unread, notifications, nextCursor, error, load, markRead } = useNotifications(initialUnread, (notification) =>
    toast({ title: notification.title, body: notification.body, href: notification.url, onOpen: () => void markRead([notification.id]) }),
  );
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (open) void load();
  }, [open, load]);

  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      title="Notifications"
      variant="drawer"
      trigger={
        <button
          type="button"
          aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
          data-testid="notification-bell"
          className="relative rounded-md p-1 text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          <Bell aria-hidden className="h-5 w-5" strokeWidth={1.8} />
          <CountBadge count={unread} testId="notification-count" className="absolute -top-1 -right-1" />
        </button>
      }
    >
      <NotificationList
        unread={unread}
        notifications={notifications}
        nextCursor={nextCursor}
        error={error}
        onLoadMore={(cursor) => void load(cursor)}
        onRead={(ids) => void markRead(ids)}
        onFollow={() => setOpen(false)}
      />
    </Dialog>
  );
}
