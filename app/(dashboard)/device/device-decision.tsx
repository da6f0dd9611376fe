"use client";

import Link from "next/link";
import { useState } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { formatAgo } from "@/lib/format";

export type DeviceRequest = {
  userCode: string;
  deviceName: string;
  ip: string | null;
  createdAt: string;
  expiresAt: string;
  status: "pending" | "approved" | "denied" | "expired";
};

type Props = { request: DeviceRequest; yourIp: string | null; tokenDays: number };

const BUTTON = "rounded-md px-4 py-2 text-sm font-semibold aria-disabled:opacity-60";

/** Who asks, from where and when, and the person's answer. Approving issues the device a token of theirs. */
export function DeviceDecision({ request, yourIp, tokenDays }: Props) {
  const [status, setStatus] = useState(request.status);
  const [pending, setPending] = useState<"approve" | "deny" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function decide(decision: "approve" | "deny") {
    if (pending) return;
    setPending(decision);
    setError(null);
    try {
      await apiFetch(`/device/requests/${encodeURIComponent(request.userCode)}/${decision}`, { method: "POST" });
      setStatus(decision === "approve" ? "approved" : "denied");
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setPending(null);
    }
  }

  const sameAddress = request.ip !== null && request.ip === yourIp;
  return (
    <div className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900" data-testid="device-request">
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="font-medium">Code</dt>
        <dd>
          <code className="text-base font-semibold tracking-widest" data-testid="device-code">
            {request.userCode}
          </code>{" "}
          <span className="text-zinc-600 dark:text-zinc-400">(your terminal must show the same)</span>
        </dd>
        <dt className="font-medium">Device</dt>
        <dd className="break-all" data-testid="device-name">
          {request.deviceName}
        </dd>
        <dt className="font-medium">From</dt>
        <dd>
          {request.ip ?? "an unknown address"}{" "}
          <span className="text-zinc-600 dark:text-zinc-400">
            {sameAddress ? "(the address you are using now)" : yourIp ? `(you are using ${yourIp})` : ""}
          </span>
        </dd>
        <dt className="font-medium">Asked</dt>
        <dd suppressHydrationWarning>
          {new Date(request.createdAt).toLocaleString()} ({formatAgo(request.createdAt)})
        </dd>
      </dl>
      {status === "pending" ? (
        <>
          <div role="note" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
            <p className="font-semibold">Approve only a sign-in you started yourself, just now.</p>
            <p className="mt-1">
              Approving gives this device your access to Warren for {tokenDays} days, or until you revoke it on your account page. If someone sent you this link
              or code, or you do not recognise the device, deny it.
            </p>
          </div>
          <div className="flex flex-wrap gap-3">
            <button
              type="button"
              onClick={() => void decide("approve")}
              aria-disabled={pending !== null || undefined}
              className={`${BUTTON} bg-brand-600 text-white hover:bg-brand-700`}
            >
              {pending === "approve" ? "Approving…" : "Approve"}
            </button>
            <button
              type="button"
              onClick={() => void decide("deny")}
              aria-disabled={pending !== null || undefined}
              className={`${BUTTON} border border-red-700 text-red-800 hover:bg-red-50 dark:border-red-400 dark:text-red-300 dark:hover:bg-red-950`}
            >
              {pending === "deny" ? "Denying…" : "Deny"}
            </button>
          </div>
          <FormAlert>{error}</FormAlert>
        </>
      ) : (
        <Outcome status={status} request={request} fresh={request.status === "pending"} />
      )}
    </div>
  );
}

/** `fresh`: decided just now on this page, rather than found decided. */
function Outcome({ status, request, fresh }: { status: Exclude<DeviceRequest["status"], "pending">; request: DeviceRequest; fresh: boolean }) {
  const text = {
    approved: fresh ? (
      <>
        Approved: <strong>{request.deviceName}</strong> is signed in as you. Go back to your terminal; you can close this page. Your devices are on{" "}
        <Link href="/account" className="underline">
          your account page
        </Link>
        .
      </>
    ) : (
      <>This sign-in was already approved; nothing is left to decide.</>
    ),
    denied: fresh ? <>Denied: the device was told so, and nothing was signed in.</> : <>This sign-in was already denied.</>,
    expired: (
      <>
        Code {request.userCode} expired before anyone approved it. Run <code>warren login</code> again on the device.
      </>
    ),
  }[status];
  return (
    <p role="status" className="text-sm" data-testid="device-outcome">
      {text}
    </p>
  );
}
