"use client";

import { useEffect, useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { SessionDto } from "@/lib/auth/session-admin";
import { formatWhen } from "@/lib/format";

/** Browser sessions at `basePath` (`/me/sessions`, or `/users/<id>/sessions` for an admin), each one endable. */
export function SessionList({ basePath, label, initial }: { basePath: string; label: string; initial?: SessionDto[] }) {
  const [sessions, setSessions] = useState<SessionDto[] | null>(initial ?? null);
  const [error, setError] = useState("");
  const [announcement, setAnnouncement] = useState("");

  useEffect(() => {
    if (initial) return;
    apiFetch<{ sessions: SessionDto[] }>(basePath).then(
      (answer) => setSessions(answer.sessions),
      (failure: unknown) => setError(errorMessage(failure)),
    );
  }, [basePath, initial]);

  async function end(session: SessionDto) {
    await apiFetch(`${basePath}/${encodeURIComponent(session.id)}`, { method: "DELETE" });
    setSessions((current) => current?.filter((row) => row.id !== session.id) ?? null);
    setAnnouncement(session.current ? "This browser's session has ended." : "The session has ended: that browser is signed out.");
    if (session.current) window.location.assign("/login");
  }

  if (error) return <FormAlert>{error}</FormAlert>;
  if (!sessions) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading sessions…</p>;
  return (
    <div className="space-y-2">
      <p role="status" className="text-sm">
        {announcement}
      </p>
      {sessions.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No browser is signed in.</p>
      ) : (
        <ul aria-label={label} className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {sessions.map((session) => (
            <li key={session.id} className="flex flex-wrap items-start gap-x-4 gap-y-2 py-2 text-sm">
              <div className="min-w-56 flex-1">
                <p className="break-all">
                  {session.userAgent ?? "an unknown browser"}
                  {session.current ? <strong> (this browser)</strong> : null}
                </p>
                <p className="text-zinc-600 dark:text-zinc-400" suppressHydrationWarning>
                  signed in {formatWhen(session.createdAt)}
                  {session.ip ? ` from ${session.ip}` : ""}; ends {formatWhen(session.expiresAt)}
                </p>
              </div>
              <ConfirmAction
                label={session.current ? "Sign out here" : "End session"}
                confirmLabel="Yes, end it"
                danger
                question={<p>End this session? That browser is signed out at once.</p>}
                onConfirm={() => end(session)}
              />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
