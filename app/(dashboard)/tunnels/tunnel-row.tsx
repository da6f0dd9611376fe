"use client";

import { OpenInBrowser } from "@/app/components/open-in-browser";
import Link from "next/link";
import type { ReactNode } from "react";
import { Sparkline } from "@/app/components/sparkline";
import { StatusBadge } from "@/app/components/status-badge";
import { formatBytes, timeLeft } from "@/lib/format";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";
import { wasOpened } from "@/lib/tunnels/request-text";

/** Statuses with no time left to show. */
const ENDED = new Set(["closed", "expired", "denied", "failed"]);

/** `showNode`: name the node carrying it (several nodes share the database). */
type Props = { tunnel: TunnelDto; viewerId: string; showNode: boolean; history: number[]; now: number; children?: ReactNode };

/** One tunnel in a list: where it listens, its state, traffic and time left; `children` are its actions. */
export function TunnelRow({ tunnel, viewerId, showNode, history, now, children }: Props) {
  const rate = history.at(-1) ?? 0;

  return (
    <li data-testid="tunnel-row" data-tunnel-id={tunnel.id} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <Link href={`/tunnels/${tunnel.id}`} className="font-mono text-sm font-medium underline-offset-4 hover:underline">
          {tunnelEndpoint(tunnel)}
        </Link>
        <StatusBadge status={tunnel.status} />
        <span className="text-xs text-zinc-600 dark:text-zinc-400">
          {tunnel.kind} via {tunnel.host.name}
          {tunnel.ownerId === viewerId ? "" : `, owned by ${tunnel.ownerEmail}`}
          {tunnel.team ? `, shared with ${tunnel.team.name}` : ""}
          {showNode && tunnel.node ? <span data-testid="tunnel-node">, on node {tunnel.node}</span> : null}
        </span>
        <div className="ml-auto flex items-center gap-2">
          <OpenInBrowser tunnel={tunnel} />
          {children}
        </div>
      </div>
      {/* An active tunnel's last reason ("reconnected to …") is history by now: its page keeps it. */}
      {tunnel.statusReason && tunnel.status !== "active" ? <p className="mt-1 text-sm text-zinc-700 dark:text-zinc-300">{tunnel.statusReason}</p> : null}
      {tunnel.extensionRequest && !ENDED.has(tunnel.status) ? (
        <p className="mt-1 text-sm text-amber-800 dark:text-amber-300">An extension is waiting for approval.</p>
      ) : null}
      {wasOpened(tunnel) ? (
        <dl className="mt-2 flex flex-wrap items-center gap-x-6 gap-y-1 text-sm">
          <div className="flex items-center gap-2">
            <dt className="sr-only">Throughput</dt>
            <Sparkline samples={history} />
            <dd>{formatBytes(rate)}/s</dd>
          </div>
          <div className="flex gap-1">
            <dt>Open connections:</dt>
            <dd data-testid="open-connections">{tunnel.connections}</dd>
          </div>
          <div className="flex gap-1">
            <dt>Received:</dt>
            <dd data-testid="bytes-in">{formatBytes(tunnel.bytesIn)}</dd>
          </div>
          <div className="flex gap-1">
            <dt>Sent:</dt>
            <dd>{formatBytes(tunnel.bytesOut)}</dd>
          </div>
          <div className="flex gap-1">
            <dt className="sr-only">Expiry</dt>
            {/* server and browser clocks differ by the render time */}
            <dd suppressHydrationWarning>{ENDED.has(tunnel.status) ? "ended" : timeLeft(tunnel.expiresAt, now)}</dd>
          </div>
        </dl>
      ) : null}
    </li>
  );
}
