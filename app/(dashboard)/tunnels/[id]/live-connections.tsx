"use client";

import { useCallback, useEffect, useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { formatBytes, formatDuration } from "@/lib/format";
import type { ConnectionDto } from "@/lib/tunnels/tunnels";

const POLL_MS = 2_000;

type Props = { tunnelId: string; dynamic: boolean; mayKill: boolean; now: number; className: string; onKilled(message: string): void };

/** The connections open now, polled every 2 s while the page is visible; the owner and admins may cut one. */
export function LiveConnections({ tunnelId, dynamic, mayKill, now, className, onKilled }: Props) {
  const [connections, setConnections] = useState<ConnectionDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setConnections((await apiFetch<{ connections: ConnectionDto[] }>(`/tunnels/${tunnelId}/connections?state=open`)).connections);
      setError(null);
    } catch (failure) {
      setError(`Open connections could not be loaded: ${errorMessage(failure)}`);
    }
  }, [tunnelId]);

  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === "visible") void load();
    };
    tick();
    const timer = setInterval(tick, POLL_MS);
    document.addEventListener("visibilitychange", tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", tick);
    };
  }, [load]);

  async function kill(connection: ConnectionDto) {
    await apiFetch(`/tunnels/${tunnelId}/connections/${connection.id}`, { method: "DELETE", body: {} });
    setConnections((current) => current?.filter((c) => c.id !== connection.id) ?? null);
    onKilled(`Closed the connection from ${connection.source}.`);
  }

  return (
    <section aria-labelledby="live-connections-heading" className={className}>
      <h2 id="live-connections-heading" className="font-semibold">
        Open connections
      </h2>
      <FormAlert>{error}</FormAlert>
      {connections === null ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>
      ) : connections.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">No connection is open now.</p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="live-connections">
            <thead>
              <tr className="text-zinc-600 dark:text-zinc-400">
                <th scope="col" className="py-1 pr-4 font-medium">
                  From
                </th>
                {dynamic ? (
                  <th scope="col" className="py-1 pr-4 font-medium">
                    To
                  </th>
                ) : null}
                <th scope="col" className="py-1 pr-4 font-medium">
                  Received
                </th>
                <th scope="col" className="py-1 pr-4 font-medium">
                  Sent
                </th>
                <th scope="col" className="py-1 pr-4 font-medium">
                  Open for
                </th>
                {mayKill ? (
                  <th scope="col" className="py-1 pr-4 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {connections.map((connection) => (
                <tr key={connection.id} data-source={connection.source} className="border-t border-zinc-100 align-top dark:border-zinc-800">
                  <td className="py-1 pr-4 font-mono">{connection.source}</td>
                  {dynamic ? <td className="py-1 pr-4 font-mono">{connection.destination}</td> : null}
                  <td className="py-1 pr-4">{formatBytes(connection.bytesIn)}</td>
                  <td className="py-1 pr-4">{formatBytes(connection.bytesOut)}</td>
                  <td className="py-1 pr-4" suppressHydrationWarning>
                    {formatDuration(Math.max(0, now - Date.parse(connection.openedAt)))}
                  </td>
                  {mayKill ? (
                    <td className="py-1 pr-4">
                      <ConfirmAction
                        label={`Kill connection from ${connection.source}`}
                        confirmLabel="Yes, kill it"
                        danger
                        question={<p>Cut the connection from {connection.source}? Its client sees it close; the tunnel stays open.</p>}
                        onConfirm={() => kill(connection)}
                      />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
