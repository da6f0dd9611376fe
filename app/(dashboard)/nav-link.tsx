"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** `label`: the link's accessible name when its content alone does not say it all (a count in a badge). */
export function NavLink({ href, label, children }: { href: string; label?: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = pathname === href;
  return (
    <Link
      href={href}
      aria-label={label}
      aria-current={current ? "page" : undefined}
      className={`rounded px-1 text-sm hover:underline ${current ? "font-semibold underline underline-offset-4" : ""}`}
    >
      {children}
    </Link>
  );
}
