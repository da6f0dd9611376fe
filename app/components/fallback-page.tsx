import Link from "next/link";
import type { ReactNode } from "react";

/** Warren's page for a path it will not show (not found, or not the viewer's to see), with the way back.
 *  A div, not a main: inside the dashboard it renders within its layout's main. */
export function FallbackPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="mx-auto mt-24 max-w-md space-y-3 rounded-lg border border-zinc-200 bg-white p-6 dark:border-zinc-800 dark:bg-zinc-900">
      <p className="font-semibold text-brand-700 dark:text-brand-300">Warren</p>
      <h1 className="text-xl font-semibold">{title}</h1>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">{children}</p>
      <p>
        <Link href="/tunnels" className="text-sm font-medium underline underline-offset-4">
          Back to your tunnels
        </Link>
      </p>
    </div>
  );
}
