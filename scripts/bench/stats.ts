// Pure statistics for the bench: percentiles of one run's samples, and the
// min/median/max spread of a figure over repeated runs.

export type Spread = { min: number; median: number; max: number };

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError("no values");
  return [...values].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0–100): always one of the samples, never an interpolation. */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0–100`);
  const ordered = sorted(samples);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length));
  return ordered[rank - 1]!;
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  const ordered = sorted(values);
  const middle = ordered.length >> 1;
  return ordered.length % 2 === 1 ? ordered[middle]! : (ordered[middle - 1]! + ordered[middle]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  const ordered = sorted(values);
  return { min: ordered[0]!, median: median(ordered), max: ordered.at(-1)! };
}

/** a ÷ b of medians, or null when b is zero (a ratio would be meaningless). */
export function ratioOfMedians(a: readonly number[], b: readonly number[]): number | null {
  const denominator = median(b);
  return denominator === 0 ? null : median(a) / denominator;
}
