"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = pathname === href;
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={`rounded px-1 text-sm hover:underline ${current ? "font-semibold underline underline-offset-4" : ""}`}
    >
      {children}
    </Link>
  );
}
