import type { ReactNode } from "react";
import { SubmitButton } from "@/app/components/submit-button";

/** An editor's submit button with the line that says what saving did. */
export function SaveRow({ pending, label, status, className = "" }: { pending: boolean; label: string; status: ReactNode; className?: string }) {
  return (
    <div className={`flex flex-col gap-2 sm:flex-row sm:items-center sm:gap-4 ${className}`}>
      <div className="sm:w-48 sm:shrink-0">
        <SubmitButton pending={pending}>{pending ? "Saving…" : label}</SubmitButton>
      </div>
      <p role="status" className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
        {status}
      </p>
    </div>
  );
}
