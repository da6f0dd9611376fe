// Socket events as tests compare them: a `tunnel:stats` frame carries every
// tunnel that moved, so it becomes one entry per tunnel.
type Payload = Record<string, unknown> & { tunnelId?: string };

export function eachEvent(event: string, payload: unknown): Payload[] {
  const tunnels = (payload as { tunnels?: unknown } | null)?.tunnels;
  if (event === "tunnel:stats" && Array.isArray(tunnels)) return tunnels as Payload[];
  return [(payload ?? {}) as Payload];
}
