"use client";

import { ConfirmAction } from "@/app/components/confirm-action";
import { apiFetch } from "@/app/lib/api-fetch";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { canJoin, type Viewer } from "../viewer";

const card = "rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900";

type Props = {
  tunnel: TunnelDto;
  viewer: Viewer;
  /** Runs an action, announces `done` and reloads the tunnel; throws on failure. */
  perform: (run: () => Promise<unknown>, done: string) => Promise<void>;
  /** The same, showing the failure on the page instead. */
  act: (run: () => Promise<unknown>, done: string) => Promise<void>;
};

/** Who joined through the team, from where; the owner or an admin removes them, each may leave. */
export function ParticipantList({ tunnel, viewer, perform, act }: Props) {
  const manages = viewer.isAdmin || tunnel.ownerId === viewer.id;
  const path = (userId: string) => `/tunnels/${encodeURIComponent(tunnel.id)}/participants/${encodeURIComponent(userId)}`;
  return (
    <section aria-labelledby="participants-heading" className={card}>
      <h2 id="participants-heading" className="font-semibold">
        Participants
      </h2>
      <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
        {tunnel.team ? `Shared with ${tunnel.team.name}: its members may join, which lets their address connect.` : "Not shared with a team."}
      </p>
      {canJoin(tunnel, viewer) ? (
        <button
          type="button"
          onClick={() =>
            void act(() => apiFetch(`/tunnels/${encodeURIComponent(tunnel.id)}/join`, { method: "POST" }), "You joined: your address may connect.")
          }
          className="mt-2 rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700"
        >
          Join
        </button>
      ) : null}
      {tunnel.participants.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Nobody has joined.</p>
      ) : (
        <ul className="mt-2 divide-y divide-zinc-100 text-sm dark:divide-zinc-800" data-testid="participants">
          {tunnel.participants.map((participant) => {
            const self = participant.userId === viewer.id;
            return (
              <li key={participant.userId} className="flex flex-wrap items-start gap-x-4 gap-y-1 py-2">
                <span className="font-medium">{participant.email}</span>
                <span className="font-mono">{participant.source}</span>
                <span className="text-zinc-600 dark:text-zinc-400">
                  {participant.granted ? "let in by joining" : "already allowed"}, since{" "}
                  <time dateTime={participant.joinedAt} suppressHydrationWarning>
                    {new Date(participant.joinedAt).toLocaleString()}
                  </time>
                </span>
                {self || manages ? (
                  <div className="ml-auto">
                    <ConfirmAction
                      label={self ? "Leave" : `Remove ${participant.email}`}
                      confirmLabel={self ? "Yes, leave" : "Yes, remove"}
                      danger
                      question={<p>{self ? "Leave this tunnel?" : `Remove ${participant.email}?`} Their open connections are cut.</p>}
                      onConfirm={() =>
                        perform(() => apiFetch(path(participant.userId), { method: "DELETE" }), self ? "You left the tunnel." : `Removed ${participant.email}.`)
                      }
                    />
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
