"use client";

import { X } from "lucide-react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";

export type Toast = {
  title: string;
  body?: string;
  /** Makes the title a link there. */
  href?: string;
  /** Called when the link is followed (the toast closes too). */
  onOpen?: () => void;
};

/** How long a toast stays, not counting the time it is hovered or focused. */
const SHOWN_MS = 8_000;

/** One toast (an item of the ToastProvider's list): it closes by itself, unless the pointer or the focus is on it, or by its close button. */
export function ToastCard({ toast, onClose }: { toast: Toast; onClose: () => void }) {
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const paused = hovered || focused;
  const remaining = useRef(SHOWN_MS);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(() => close.current(), remaining.current);
    return () => {
      clearTimeout(timer);
      remaining.current -= Date.now() - started;
    };
  }, [paused]);

  return (
    <li
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget)) setFocused(false);
      }}
      data-testid="toast"
      className="pointer-events-auto flex items-start gap-2 rounded-lg border border-zinc-200 bg-white p-3 text-sm shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
    >
      <div className="min-w-0 flex-1 [overflow-wrap:anywhere]">
        <p className="font-medium">
          {toast.href ? (
            <Link
              href={toast.href}
              onClick={() => {
                toast.onOpen?.();
                onClose();
              }}
              className="underline underline-offset-4"
            >
              {toast.title}
            </Link>
          ) : (
            toast.title
          )}
        </p>
        {toast.body ? <p className="text-zinc-600 dark:text-zinc-400">{toast.body}</p> : null}
      </div>
      <button
        type="button"
        onClick={onClose}
        aria-label={`Dismiss: ${toast.title}`}
        className="rounded p-0.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
      >
        <X aria-hidden className="h-4 w-4" />
      </button>
    </li>
  );
}
