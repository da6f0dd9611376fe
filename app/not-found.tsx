import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Not found" };

/** Any page that does not exist, or is not the viewer's to see (someone else's tunnel is as unknown as a missing one).
 *  A div, not a main: inside the dashboard it renders within its layout's main. */
export default function NotFound() {
  return (
    <div className="mx-auto mt-24 max-w-md space-y-3 rounded-lg border border-zinc-200 bg-white p-6 dark:border-zinc-800 dark:bg-zinc-900">
      <p className="font-semibold text-brand-700 dark:text-brand-300">Warren</p>
      <h1 className="text-xl font-semibold">Nothing here</h1>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">This page does not exist, or it is not yours to see.</p>
      <p>
        <Link href="/tunnels" className="text-sm font-medium underline underline-offset-4">
          Back to your tunnels
        </Link>
      </p>
    </div>
  );
}
