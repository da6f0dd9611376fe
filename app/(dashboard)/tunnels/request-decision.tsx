"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { controlClass, Field } from "@/app/components/field";
import { FormAlert } from "@/app/components/form-alert";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { denyRequestSchema } from "@/lib/validation/tunnels";
import { isExtension } from "@/lib/tunnels/request-text";

const BUTTON = "rounded-md px-3 py-1.5 text-sm font-medium";
const APPROVE = `${BUTTON} bg-brand-600 text-white hover:bg-brand-700`;
const QUIET = `${BUTTON} border border-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800`;
const DENY = `${BUTTON} bg-red-700 text-white hover:bg-red-800 dark:bg-red-600 dark:hover:bg-red-700`;

type Props = {
  tunnel: Pick<TunnelDto, "id" | "status" | "extensionRequest" | "ownerEmail">;
  /** Called with what was done, for the page to announce, and the tunnel as it now stands. */
  onDecided: (message: string, tunnel: TunnelDto) => void;
};

/** Approve, or deny with a reason typed inline: the requester reads it. */
export function RequestDecision({ tunnel, onDecided }: Props) {
  const id = useId();
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string>();
  const [failure, setFailure] = useState("");
  const [pending, setPending] = useState(false);
  const reasonRef = useRef<HTMLInputElement>(null);
  const denyRef = useRef<HTMLButtonElement>(null);
  // Focus goes back to "Deny…" when the reason is cancelled, not on first render.
  const cancelled = useRef(false);
  const what = isExtension(tunnel) ? `${tunnel.ownerEmail}'s extension` : `${tunnel.ownerEmail}'s tunnel`;

  useEffect(() => {
    if (denying || reasonError) reasonRef.current?.focus();
    else if (cancelled.current) denyRef.current?.focus();
    cancelled.current = false;
  }, [denying, reasonError]);

  function cancel() {
    cancelled.current = true;
    setReasonError(undefined);
    setDenying(false);
  }

  async function decide(action: "approve" | "deny", body: object, done: string) {
    if (pending) return;
    setPending(true);
    setFailure("");
    try {
      onDecided(done, await apiFetch<TunnelDto>(`/tunnels/${encodeURIComponent(tunnel.id)}/${action}`, { method: "POST", body }));
    } catch (error) {
      if (error instanceof ApiRequestError && error.field === "reason") setReasonError(error.message);
      else setFailure(errorMessage(error));
    } finally {
      setPending(false);
    }
  }

  function deny(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = denyRequestSchema.safeParse({ reason });
    if (!parsed.success) {
      setReasonError(parsed.error.issues[0]?.message ?? "is required");
      return;
    }
    setReasonError(undefined);
    void decide("deny", parsed.data, `Denied ${what}.`);
  }

  return (
    <div className="space-y-2">
      {denying ? (
        <form
          noValidate
          onSubmit={deny}
          onKeyDown={(event) => {
            if (event.key === "Escape") cancel();
          }}
          aria-label={`Deny ${what}`}
          className="flex flex-wrap items-end gap-2"
        >
          <Field id={`${id}-reason`} label="Reason for denying (the requester reads it)" error={reasonError} className="min-w-64 flex-1">
            {(control) => (
              <input
                {...control}
                ref={reasonRef}
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                maxLength={200}
                autoComplete="off"
                className={controlClass}
              />
            )}
          </Field>
          <button type="submit" aria-disabled={pending || undefined} className={DENY}>
            Deny request
          </button>
          <button type="button" onClick={cancel} className={QUIET}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="flex flex-wrap gap-2">
          <button type="button" aria-disabled={pending || undefined} onClick={() => void decide("approve", {}, `Approved ${what}.`)} className={APPROVE}>
            Approve
          </button>
          <button ref={denyRef} type="button" onClick={() => setDenying(true)} className={QUIET}>
            Deny…
          </button>
        </div>
      )}
      <FormAlert>{failure}</FormAlert>
    </div>
  );
}
