"use client";

import { useRef, useState } from "react";
import { useApprovals } from "@/app/lib/use-approvals";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { MoreButton } from "./more-button";
import { RequestDecision } from "./request-decision";
import { clockTime, requestDeadline, requestSummary } from "@/lib/tunnels/request-text";
import { RequestReason } from "./request-reason";

/** "Waiting for your approval": requests to open or extend tunnels, live. */
export function ApprovalList({ initial, now }: { initial: { requests: TunnelDto[]; nextCursor: string | null }; now: number }) {
  const { requests, reload, more, loadMore } = useApprovals(initial);
  const [notice, setNotice] = useState("");
  const headingRef = useRef<HTMLHeadingElement>(null);
  // Nothing waiting: no section (it appears, live, when something does).
  if (requests.length === 0 && !notice) return null;
  return (
    <section aria-labelledby="approvals-heading" className="space-y-3">
      <h2 id="approvals-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold">
        Waiting for your approval
      </h2>
      <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
        {notice}
      </p>
      {requests.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 p-4 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No requests are waiting for you.
        </p>
      ) : (
        <ul aria-label="Requests waiting for your approval" className="grid gap-3">
          {requests.map((request) => {
            const deadline = requestDeadline(request);
            return (
              <li
                key={request.id}
                data-testid="request-row"
                data-tunnel-id={request.id}
                className="space-y-2 rounded-lg border border-amber-700 bg-white p-4 dark:border-amber-400 dark:bg-zinc-900"
              >
                <p className="text-sm">{requestSummary(request)}</p>
                <RequestReason reason={request.requestReason} />
                {deadline ? (
                  <p className="text-xs text-zinc-600 dark:text-zinc-400" suppressHydrationWarning>
                    Expires unanswered at {clockTime(deadline, now)}.
                  </p>
                ) : null}
                <RequestDecision
                  tunnel={request}
                  onDecided={(message) => {
                    setNotice(message);
                    // The decided request leaves the list with the focused button.
                    headingRef.current?.focus();
                    reload();
                  }}
                />
              </li>
            );
          })}
        </ul>
      )}
      {more ? <MoreButton onClick={loadMore}>Show more requests</MoreButton> : null}
    </section>
  );
}
