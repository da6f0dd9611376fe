/** A port in the range that no open tunnel we know of uses. The search starts
 *  at a random point: others' tunnels may be invisible to this user, and two
 *  people opening the page at once should rarely be offered the same port. */
export function suggestPort({ min, max }: { min: number; max: number }, used: number[], random = Math.random): number {
  const taken = new Set(used);
  const size = max - min + 1;
  const start = Math.floor(random() * size);
  for (let step = 0; step < size; step += 1) {
    const port = min + ((start + step) % size);
    if (!taken.has(port)) return port;
  }
  return min;
}
