import type { ReactNode } from "react";

/** The centred card that the sign-in and first-run pages share. */
export function AuthCard({ title, intro, children }: { title: string; intro: string; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <section className="w-full max-w-sm rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <p className="text-sm font-semibold tracking-wide text-brand-600 dark:text-brand-300">Warren</p>
        <h1 className="mt-1 text-xl font-semibold">{title}</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{intro}</p>
        <div className="mt-6">{children}</div>
      </section>
    </main>
  );
}
