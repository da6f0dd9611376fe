"use client";

import { CopyPlus, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { CopyButton } from "@/app/components/copy-button";
import { OpenInBrowser } from "@/app/components/open-in-browser";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { isEnded, isOpen } from "@/lib/tunnels/tunnel-status";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { laptopLines, tunnelEndpoint, usageHint } from "@/lib/tunnels/usage-hint";
import type { Viewer } from "./viewer";

const QUIET =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800";

/** An hour more: the table's one-step extension (the tunnel's page offers other lengths). */
const EXTEND_MINUTES = 60;

/** What to run to use an open tunnel: the laptop client's line, or for a remote tunnel to a host, the usage hint's example. */
function commandFor(tunnel: TunnelDto, publicUrl: string): string | null {
  if (!isOpen(tunnel.status)) return null;
  const toClient = tunnel.target !== null && "client" in tunnel.target;
  if (tunnel.kind === "remote" && !toClient) return usageHint(tunnel)?.example ?? null;
  return laptopLines(tunnel, publicUrl).run;
}

type Props = {
  tunnel: TunnelDto;
  viewer: Viewer;
  publicUrl: string;
  /** Hears the tunnel as an action answered it, and what to announce. */
  onChanged: (tunnel: TunnelDto, notice: string) => void;
  /** Hears why reopening failed. */
  onFailure: (message: string) => void;
};

/** What the viewer may do with one tunnel from the table; the server checks each anyway. */
export function RowActions({ tunnel, viewer, publicUrl, onChanged, onFailure }: Props) {
  const endpoint = tunnelEndpoint(tunnel);
  const mine = tunnel.ownerId === viewer.id;
  const manages = mine || viewer.isAdmin;
  const command = commandFor(tunnel, publicUrl);
  const path = `/tunnels/${encodeURIComponent(tunnel.id)}`;

  // One request at a time: a second click while it runs would ask for a second tunnel.
  const [reopening, setReopening] = useState(false);
  async function reopen() {
    setReopening(true);
    try {
      const fresh = await apiFetch<TunnelDto>(`${path}/reopen`, { method: "POST" });
      onChanged(fresh, `Reopened as a new tunnel: ${tunnelEndpoint(fresh)}.`);
    } catch (error) {
      onFailure(errorMessage(error));
    } finally {
      setReopening(false);
    }
  }

  async function extend() {
    const fresh = await apiFetch<TunnelDto>(`${path}/extend`, { method: "POST", body: { ttlMinutes: EXTEND_MINUTES } });
    onChanged(fresh, fresh.extensionRequest ? `Asked for an hour more on ${endpoint}: waiting for approval.` : `${endpoint} runs an hour longer.`);
  }

  async function close() {
    const fresh = await apiFetch<TunnelDto>(path, { method: "DELETE" });
    onChanged(fresh, `${endpoint} is ${fresh.status}.`);
  }

  return (
    <>
      {command ? <CopyButton text={command} label="Copy command" /> : null}
      <OpenInBrowser tunnel={tunnel} />
      {manages && isOpen(tunnel.status) && !tunnel.extensionRequest ? (
        <ConfirmAction label="Extend" question={`Add an hour to ${endpoint}?`} confirmLabel="Extend by an hour" onConfirm={extend} />
      ) : null}
      {manages && (isOpen(tunnel.status) || tunnel.status === "pending_approval") ? (
        <ConfirmAction
          label={tunnel.status === "pending_approval" ? "Withdraw" : "Close"}
          question={`${tunnel.status === "pending_approval" ? "Withdraw the request for" : "Close"} ${endpoint}?`}
          confirmLabel={tunnel.status === "pending_approval" ? "Yes, withdraw it" : "Yes, close it"}
          danger
          onConfirm={close}
        />
      ) : null}
      {mine && isEnded(tunnel.status) ? (
        <button type="button" onClick={() => void reopen()} disabled={reopening} aria-busy={reopening} className={QUIET}>
          <RotateCcw aria-hidden className="size-4" />
          Reopen
        </button>
      ) : null}
      {isEnded(tunnel.status) ? (
        <Link href={`/tunnels/new?from=${encodeURIComponent(tunnel.id)}`} className={QUIET}>
          <CopyPlus aria-hidden className="size-4" />
          Duplicate
        </Link>
      ) : null}
    </>
  );
}
