import type { ReactNode } from "react";

/** A page's "add something" form in its own card: a heading, a line that announces the result, then the form. */
export function FormCard({ id, title, status, children }: { id: string; title: string; status: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 sm:p-6 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      <p role="status" className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
        {status}
      </p>
      {children}
    </section>
  );
}
