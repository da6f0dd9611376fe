import type { ReactNode } from "react";

/** An error that belongs to no single field, announced when it appears. */
export function FormAlert({ children, className = "" }: { children: ReactNode; className?: string }) {
  if (!children) return null;
  return (
    <p role="alert" className={`text-sm text-red-700 dark:text-red-400 ${className}`}>
      {children}
    </p>
  );
}
