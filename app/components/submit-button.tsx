import type { ReactNode } from "react";

/** Every form's submit button. While `pending` it stays focusable (a disabled
 *  button drops the focus) but refuses to submit again, by click or Enter. */
export function SubmitButton({ pending, className = "w-full", children }: { pending: boolean; className?: string; children: ReactNode }) {
  return (
    <button
      type="submit"
      aria-disabled={pending || undefined}
      onClick={(event) => {
        if (pending) event.preventDefault();
      }}
      className={`rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700 aria-disabled:opacity-60 ${className}`}
    >
      {children}
    </button>
  );
}
