"use client";

import { useCallback, useEffect, useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { AccessLog } from "@/lib/apps/app-access-log";
import { formatBytes } from "@/lib/format";

const time = (iso: string) => new Date(iso).toLocaleTimeString();

/** A web tunnel's browser sessions and requests, newest first. */
export function AccessLogSection({ tunnelId, className }: { tunnelId: string; className: string }) {
  const [log, setLog] = useState<AccessLog | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    apiFetch<AccessLog>(`/tunnels/${tunnelId}/access-log`).then(
      (fresh) => {
        setLog(fresh);
        setError(null);
      },
      (failure: unknown) => setError(errorMessage(failure)),
    );
  }, [tunnelId]);
  useEffect(load, [load]);

  return (
    <section aria-labelledby="access-log-heading" className={className} data-testid="access-log">
      <div className="flex items-center gap-3">
        <h2 id="access-log-heading" className="font-semibold">
          In the browser
        </h2>
        <button type="button" onClick={load} className="ml-auto rounded-md border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700">
          Refresh
        </button>
      </div>
      {error ? <p className="mt-2 text-sm text-red-700 dark:text-red-400">{error}</p> : null}
      {log && log.sessions.length === 0 ? <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Nobody has opened it in a browser yet.</p> : null}
      {log && log.sessions.length > 0 ? (
        <ul className="mt-2 space-y-1 text-sm" data-testid="app-sessions">
          {log.sessions.map((session) => (
            <li key={session.id}>
              {session.email} from <span className="font-mono">{session.address}</span>, since {time(session.startedAt)}: {session.requests} requests,{" "}
              {formatBytes(session.bytesIn)} received, {formatBytes(session.bytesOut)} sent
              {session.endedAt ? `; ended ${time(session.endedAt)} (${session.endReason})` : "; open"}
            </li>
          ))}
        </ul>
      ) : null}
      {log && log.requests.length > 0 ? (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="app-requests">
            <thead>
              <tr className="text-zinc-600 dark:text-zinc-400">
                {["Time", "Who", "Request", "Status", "Received", "Sent", "Took"].map((label) => (
                  <th key={label} scope="col" className="py-1 pr-4 font-medium">
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {log.requests.map((line) => (
                <tr key={line.id} className="border-t border-zinc-100 dark:border-zinc-800">
                  <td className="py-1 pr-4">{time(line.at)}</td>
                  <td className="py-1 pr-4">{line.email ?? ""}</td>
                  <td className="py-1 pr-4 font-mono">
                    {line.method} {line.path}
                  </td>
                  <td className="py-1 pr-4">{line.status}</td>
                  <td className="py-1 pr-4">{formatBytes(line.bytesIn)}</td>
                  <td className="py-1 pr-4">{formatBytes(line.bytesOut)}</td>
                  <td className="py-1 pr-4">{line.ms} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
