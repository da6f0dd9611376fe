/** A small red count beside an icon or a link; hidden from assistive technology, whose name for the control says the count in words. */
export function CountBadge({ count, testId, className = "" }: { count: number; testId: string; className?: string }) {
  if (count <= 0) return null;
  return (
    <span
      aria-hidden
      data-testid={testId}
      className={`min-w-4 rounded-full bg-red-700 px-1 text-center text-[0.65rem] leading-4 font-semibold text-white ${className}`}
    >
      {count > 99 ? "99+" : count}
    </span>
  );
}
