import type { ReactNode } from "react";

/** A page's h1 (its section is labelled by `id`; focusable from script, for when what had the focus goes away), with a line of explanation under it or actions beside it. */
export function PageHeading({ id, title, description, children }: { id: string; title: string; description?: ReactNode; children?: ReactNode }) {
  return (
    <div className={children ? "flex flex-wrap items-center gap-3" : "space-y-1"}>
      <h1 id={id} tabIndex={-1} className="text-xl font-semibold">
        {title}
      </h1>
      {description ? <p className="text-sm text-zinc-600 dark:text-zinc-400">{description}</p> : null}
      {children}
    </div>
  );
}
