/** Throughput over the last samples, as a tiny line. Decorative: the numbers
 *  beside it carry the information. */
export function Sparkline({ samples, width = 96, height = 24 }: { samples: number[]; width?: number; height?: number }) {
  // Nothing moved: a word, not an empty underline.
  if (!samples.some((value) => value > 0)) {
    return (
      <span aria-hidden style={{ width }} className="inline-block text-center text-xs text-zinc-500 dark:text-zinc-400">
        idle
      </span>
    );
  }
  const max = Math.max(1, ...samples);
  const step = samples.length > 1 ? width / (samples.length - 1) : width;
  const points = samples.map((value, index) => `${(index * step).toFixed(1)},${(height - 1 - (value / max) * (height - 2)).toFixed(1)}`).join(" ");
  return (
    <svg aria-hidden width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="text-brand-600 dark:text-brand-300">
      <line x1={0} y1={height - 1} x2={width} y2={height - 1} className="stroke-zinc-300 dark:stroke-zinc-700" strokeWidth={1} />
      {samples.length > 1 ? <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.5} /> : null}
    </svg>
  );
}
