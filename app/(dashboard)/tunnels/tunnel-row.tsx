"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { Sparkline } from "@/app/components/sparkline";
import { CELL } from "@/app/components/stacked-cell";
import { StatusBadge } from "@/app/components/status-badge";
import { formatBytes, timeLeft } from "@/lib/format";
import { wasOpened } from "@/lib/tunnels/request-text";
import { isEnded } from "@/lib/tunnels/tunnel-status";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { tunnelEndpoint } from "@/lib/tunnels/usage-hint";

const DOT: Partial<Record<TunnelDto["status"], string>> = {
  active: "bg-emerald-500",
  starting: "bg-sky-500",
  reconnecting: "bg-amber-500",
  pending_approval: "bg-amber-500",
  failed: "bg-red-600",
  denied: "bg-red-600",
};

/** `showNode`: name the node carrying it (several nodes share the database); `showOwner`: the owner column is there. */
type Props = {
  tunnel: TunnelDto;
  showNode: boolean;
  showOwner: boolean;
  /** Bytes per second, one sample per stats batch, newest last. */
  history: number[];
  now: number;
  actions: ReactNode;
};

/** One tunnel in the table: its state, where it listens and leads, traffic and time left; `actions` are what the viewer may do. */
export function TunnelRow({ tunnel, showNode, showOwner, history, now, actions }: Props) {
  const opened = wasOpened(tunnel);
  return (
    <tr data-testid="tunnel-row" data-tunnel-id={tunnel.id} className="block border-b border-zinc-200 py-2 md:table-row md:py-0 dark:border-zinc-800">
      <td className={CELL} data-label="Status">
        <span className="inline-flex items-center gap-2">
          <span aria-hidden className={`size-2 shrink-0 rounded-full ${DOT[tunnel.status] ?? "bg-zinc-400"}`} />
          <StatusBadge status={tunnel.status} />
        </span>
      </td>
      <td className={`${CELL} min-w-0 md:max-w-xs`} data-label="Tunnel">
        <Link href={`/tunnels/${tunnel.id}`} className="font-mono font-medium [overflow-wrap:anywhere] underline-offset-4 hover:underline">
          {tunnelEndpoint(tunnel)}
        </Link>
        {tunnel.team ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">shared with {tunnel.team.name}</span> : null}
        {/* An active tunnel's last reason ("reconnected to …") is history by now: its page keeps it. */}
        {tunnel.statusReason && tunnel.status !== "active" ? <span className="block text-zinc-700 dark:text-zinc-300">{tunnel.statusReason}</span> : null}
        {tunnel.extensionRequest && !isEnded(tunnel.status) ? (
          <span className="block text-amber-800 dark:text-amber-300">An extension is waiting for approval.</span>
        ) : null}
      </td>
      <td className={CELL} data-label="Kind">
        {tunnel.kind}
      </td>
      <td className={CELL} data-label="Host">
        {tunnel.host.name}
        {showNode && tunnel.node ? <span data-testid="tunnel-node">, on node {tunnel.node}</span> : null}
      </td>
      {showOwner ? (
        <td className={`${CELL} [overflow-wrap:anywhere]`} data-label="Owner">
          {tunnel.ownerEmail}
        </td>
      ) : null}
      <td className={CELL} data-label="Rate">
        {opened ? (
          <span className="inline-flex items-center gap-2 whitespace-nowrap">
            <Sparkline samples={history} width={64} height={20} />
            <span data-testid="tunnel-rate">{formatBytes(history.at(-1) ?? 0)}/s</span>
          </span>
        ) : (
          "—"
        )}
      </td>
      <td className={`${CELL} whitespace-nowrap`} data-label="Totals">
        {opened ? (
          <dl className="grid grid-cols-[auto_auto] gap-x-1 text-xs">
            <dt>Received:</dt>
            <dd data-testid="bytes-in">{formatBytes(tunnel.bytesIn)}</dd>
            <dt>Sent:</dt>
            <dd>{formatBytes(tunnel.bytesOut)}</dd>
            <dt>Open connections:</dt>
            <dd data-testid="open-connections">{tunnel.connections}</dd>
          </dl>
        ) : (
          "—"
        )}
      </td>
      <td className={`${CELL} whitespace-nowrap`} data-label="Expiry">
        {/* server and browser clocks differ by the render time */}
        <span suppressHydrationWarning data-testid="tunnel-expiry">
          {isEnded(tunnel.status) ? "ended" : timeLeft(tunnel.expiresAt, now)}
        </span>
      </td>
      <td className={CELL} data-label="Actions">
        <div className="flex flex-wrap items-start gap-2">{actions}</div>
      </td>
    </tr>
  );
}
