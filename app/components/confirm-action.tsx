"use client";

import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { errorMessage } from "@/app/lib/error-message";
import { FormAlert } from "@/app/components/form-alert";

type Props = {
  /** The button that asks first. */
  label: string;
  question: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Throws to report failure; on success the caller moves focus and announces. */
  onConfirm: () => Promise<void>;
};

const BUTTON = "rounded-md px-3 py-1.5 text-sm font-medium";
const QUIET = `${BUTTON} border border-zinc-300 hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800`;
const DANGER = `${BUTTON} bg-red-700 text-white hover:bg-red-800 dark:bg-red-600 dark:hover:bg-red-700`;
const PRIMARY = `${BUTTON} bg-brand-600 text-white hover:bg-brand-700`;

/** A button whose action takes a second, inline confirmation; errors stay beside it. */
export function ConfirmAction({ label, question, confirmLabel, danger = false, onConfirm }: Props) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState("");
  const triggerRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLFieldSetElement>(null);
  // Focus goes back to the trigger on cancel or failure, not after success (the caller decides then).
  const restoreFocus = useRef(false);
  const questionId = useId();

  useEffect(() => {
    if (open) panelRef.current?.focus();
    else if (restoreFocus.current) triggerRef.current?.focus();
    restoreFocus.current = false;
  }, [open]);

  function close() {
    restoreFocus.current = true;
    setOpen(false);
  }

  async function confirm() {
    if (pending) return;
    setPending(true);
    try {
      await onConfirm();
      setOpen(false);
    } catch (failure) {
      setError(errorMessage(failure));
      close();
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-2">
      {open ? (
        <fieldset
          ref={panelRef}
          aria-labelledby={questionId}
          tabIndex={-1}
          onKeyDown={(event) => {
            if (event.key === "Escape") close();
          }}
          className="min-w-0 space-y-2 rounded-md border border-zinc-300 bg-zinc-50 p-3 text-sm dark:border-zinc-600 dark:bg-zinc-800/60"
        >
          <div id={questionId}>{question}</div>
          <div className="flex flex-wrap gap-2">
            <button type="button" onClick={confirm} aria-disabled={pending || undefined} className={danger ? DANGER : PRIMARY}>
              {pending ? "Please wait…" : confirmLabel}
            </button>
            <button type="button" onClick={close} className={QUIET}>
              Cancel
            </button>
          </div>
        </fieldset>
      ) : (
        <button
          ref={triggerRef}
          type="button"
          onClick={() => {
            setError("");
            setOpen(true);
          }}
          className={danger ? `${QUIET} text-red-700 dark:text-red-400` : QUIET}
        >
          {label}
        </button>
      )}
      <FormAlert>{error}</FormAlert>
    </div>
  );
}
