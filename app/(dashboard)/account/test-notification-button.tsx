"use client";

import { useState } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";

/** Sends a test on one channel, with the saved settings, and says what happened or why it could not. */
export function TestNotificationButton({ channel, label, sentText }: { channel: "email" | "slack"; label: string; sentText: string }) {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<{ sent: true } | { error: string } | null>(null);

  async function send() {
    if (pending) return;
    setPending(true);
    setResult(null);
    try {
      await apiFetch<{ sent: true }>("/me/notification-settings/test", { method: "POST", body: { channel } });
      setResult({ sent: true });
    } catch (failure) {
      setResult({ error: errorMessage(failure) });
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-1">
      <button
        type="button"
        onClick={() => void send()}
        aria-disabled={pending || undefined}
        className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 aria-disabled:opacity-60 dark:border-zinc-600 dark:hover:bg-zinc-800"
      >
        {pending ? "Sending…" : label}
      </button>
      <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
        {result && "sent" in result ? sentText : ""}
      </p>
      <FormAlert>{result && "error" in result ? result.error : ""}</FormAlert>
    </div>
  );
}
