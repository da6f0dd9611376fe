"use client";

import Link from "next/link";
import { useMemo } from "react";
import { Sparkline } from "@/app/components/sparkline";
import { StatusBadge } from "@/app/components/status-badge";
import { useNow } from "@/app/lib/realtime-provider";
import { reloadTunnels, useLiveTunnels } from "@/app/lib/use-live-tunnels";
import { formatBytes, timeLeft } from "@/lib/format";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";

const ENDED = new Set(["closed", "expired"]);

export function TunnelList({ initial, showEnded, viewerId }: { initial: TunnelDto[]; showEnded: boolean; viewerId: string }) {
  const reload = useMemo(() => reloadTunnels(showEnded ? "?status=all" : ""), [showEnded]);
  const { tunnels, rates } = useLiveTunnels(initial, reload);
  const now = useNow();
  const visible = showEnded ? tunnels : tunnels.filter((tunnel) => !ENDED.has(tunnel.status));

  if (visible.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
        You have no open tunnels. <Link href="/tunnels/new" className="underline underline-offset-4">Open one</Link>.
      </p>
    );
  }
  return (
    <ul aria-label="Tunnels" className="grid gap-3">
      {visible.map((tunnel) => {
        const history = rates[tunnel.id]?.history ?? [];
        const rate = history.at(-1) ?? 0;
        return (
          <li key={tunnel.id} data-testid="tunnel-row" data-tunnel-id={tunnel.id} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              <Link href={`/tunnels/${tunnel.id}`} className="font-mono text-sm font-medium underline-offset-4 hover:underline">
                {tunnelEndpoint(tunnel)}
              </Link>
              <StatusBadge status={tunnel.status} />
              <span className="text-xs text-zinc-600 dark:text-zinc-400">
                {tunnel.kind} via {tunnel.host.name}
                {tunnel.ownerId === viewerId ? "" : `, owned by ${tunnel.ownerEmail}`}
              </span>
            </div>
            {tunnel.statusReason ? <p className="mt-1 text-sm text-zinc-700 dark:text-zinc-300">{tunnel.statusReason}</p> : null}
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
          </li>
        );
      })}
    </ul>
  );
}
