import type { ReactNode } from "react";

/** What a field hands its control, so the label, the error and the hint belong to it. */
export type ControlProps = { id: string; "aria-invalid"?: true; "aria-describedby"?: string };

// Borders dark enough for 3:1 against the page and cards in both schemes (WCAG 1.4.11).
export const controlClass =
  "block w-full rounded-md border border-zinc-500 bg-white px-3 py-2 text-sm shadow-sm aria-[invalid=true]:border-red-700 dark:bg-zinc-950 dark:aria-[invalid=true]:border-red-400";

/** `aria-describedby` for a control: its error first, then its hint. */
export function describedBy(id: string, error: string | undefined, hint: boolean): string | undefined {
  return [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
}

/** A control's error and hint, under the ids describedBy names. */
export function FieldMessages({ id, error, hint }: { id: string; error?: string; hint?: ReactNode }) {
  return (
    <>
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
    </>
  );
}

type FieldProps = { id: string; label: string; error?: string; hint?: ReactNode; className?: string; children: (control: ControlProps) => ReactNode };

/** A label above a control, with its error and hint read along with it. Every labelled field of the app is one. */
export function Field({ id, label, error, hint, className = "", children }: FieldProps) {
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy(id, error, Boolean(hint)) })}
      <FieldMessages id={id} error={error} hint={hint} />
    </div>
  );
}

/** For what is typed as is (addresses, user names, keys): no autofill, capitals or spelling marks. */
export const VERBATIM = { autoComplete: "off", autoCapitalize: "off", spellCheck: false } as const;
