"use client";

import { ConfirmAction } from "@/app/components/confirm-action";
import { apiFetch } from "@/app/lib/api-fetch";
import { formatDuration } from "@/lib/format";
import { isOpen } from "@/lib/tunnels/tunnel-status";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { RequestDecision } from "../request-decision";
import { clockTime, requestSummary } from "@/lib/tunnels/request-text";
import { RequestReason } from "../request-reason";
import type { Viewer } from "../viewer";

const PANEL = "space-y-2 rounded-lg border p-4 text-sm";
const WAITING = `${PANEL} border-amber-700 bg-amber-50 text-amber-950 dark:border-amber-400 dark:bg-amber-950/40 dark:text-amber-100`;

type Props = {
  tunnel: TunnelDto;
  viewer: Viewer;
  /** Whether the viewer may decide requests on this tunnel (decided on the server). */
  mayDecide: boolean;
  now: number;
  perform: (run: () => Promise<unknown>, done: string) => Promise<void>;
  onDecided: (message: string, tunnel: TunnelDto) => void;
};

/** Where an approval stands: waiting (with Withdraw), denied (with why), an extension asked for; and the decision for approvers. */
export function RequestState({ tunnel, viewer, mayDecide, now, perform, onDecided }: Props) {
  const manages = viewer.isAdmin || tunnel.ownerId === viewer.id;
  const pending = tunnel.status === "pending_approval";
  const extension = isOpen(tunnel.status) ? tunnel.extensionRequest : null;
  const decide = mayDecide && (pending || extension) ? <RequestDecision tunnel={tunnel} onDecided={onDecided} /> : null;

  if (pending) {
    return (
      <section aria-labelledby="request-heading" className={WAITING} data-testid="request-state">
        <h2 id="request-heading" className="font-semibold">
          Waiting for approval
        </h2>
        <p suppressHydrationWarning>
          {tunnel.host.name} needs approval: a team owner or an admin decides
          {tunnel.pendingUntil ? ` by ${clockTime(tunnel.pendingUntil, now)}, or the request expires` : ""}. The outcome shows here as it happens.
        </p>
        {mayDecide ? <p>{requestSummary(tunnel)}</p> : null}
        <RequestReason reason={tunnel.requestReason} />
        {decide}
        {manages ? (
          <ConfirmAction
            label="Withdraw request"
            confirmLabel="Yes, withdraw"
            danger
            question={<p>Withdraw this request? Nobody can approve it afterwards.</p>}
            onConfirm={() => perform(() => apiFetch(`/tunnels/${encodeURIComponent(tunnel.id)}`, { method: "DELETE", body: {} }), "Request withdrawn.")}
          />
        ) : null}
      </section>
    );
  }
  if (tunnel.status === "denied") {
    return (
      <section
        aria-labelledby="request-heading"
        className={`${PANEL} border-red-700 bg-red-50 text-red-950 dark:border-red-400 dark:bg-red-950/40 dark:text-red-100`}
        data-testid="request-state"
      >
        <h2 id="request-heading" className="font-semibold">
          Request denied
        </h2>
        <p>{tunnel.statusReason}</p>
      </section>
    );
  }
  if (extension) {
    return (
      <section aria-labelledby="request-heading" className={WAITING} data-testid="request-state">
        <h2 id="request-heading" className="font-semibold">
          Extension waiting for approval
        </h2>
        <p suppressHydrationWarning>
          Another {formatDuration(extension.minutes * 60_000)} was asked for; a team owner or an admin decides by {clockTime(extension.until, now)}. Until then
          the tunnel keeps its current expiry.
        </p>
        {decide}
      </section>
    );
  }
  return null;
}
