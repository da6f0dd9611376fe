import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { getSessionUser } from "@/lib/auth/session-user";
import { SignOutButton } from "./sign-out-button";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  return (
    <div className="min-h-screen">
      <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <nav aria-label="Main" className="mx-auto flex max-w-5xl flex-wrap items-center gap-4 px-4 py-3">
          <Link href="/tunnels" className="font-semibold text-brand-600 dark:text-brand-300">
            Warren
          </Link>
          <Link href="/tunnels" className="text-sm hover:underline">
            Tunnels
          </Link>
          <span className="ml-auto text-sm text-zinc-600 dark:text-zinc-400" data-testid="signed-in-as">
            {user.email}
            {user.role === "admin" ? " (admin)" : ""}
          </span>
          <SignOutButton />
        </nav>
      </header>
      <main className="mx-auto max-w-5xl px-4 py-6">{children}</main>
    </div>
  );
}
