import type { Metadata } from "next";

export const metadata: Metadata = { title: "Tunnels" };

export default function TunnelsPage() {
  return (
    <section aria-labelledby="tunnels-heading">
      <h1 id="tunnels-heading" className="text-xl font-semibold">
        Tunnels
      </h1>
      <p className="mt-4 rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
        You have no tunnels.
      </p>
    </section>
  );
}
