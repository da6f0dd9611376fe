// Waiting between attempts, for what Warren sends elsewhere and retries
// (audit sinks, notifications).

/** The wait before the next attempt after `failures` in a row: doubling from
 *  `firstMs` to `maxMs`, less up to a fifth at random so nodes do not march together. */
export function backoffMs(failures: number, { firstMs, maxMs }: { firstMs: number; maxMs: number }, random = Math.random()): number {
  const full = Math.min(maxMs, firstMs * 2 ** Math.max(0, failures - 1));
  return Math.round(full * (1 - random / 5));
}

/** Resolves after `ms`, or at once when `signal` aborts or a waker in `wakers` is called. */
export function pause(ms: number, signal: AbortSignal, wakers?: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      wakers?.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    wakers?.add(done);
  });
}
