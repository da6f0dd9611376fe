// Plain-language numbers for the dashboard.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** "2 h 5 min", "45 s": at most the two largest units. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), "d"],
    [Math.floor((seconds % 86_400) / 3_600), "h"],
    [Math.floor((seconds % 3_600) / 60), "min"],
    [seconds % 60, "s"],
  ];
  const first = parts.findIndex(([value]) => value > 0);
  if (first === -1) return "0 s";
  return parts
    .slice(first, first + 2)
    .filter(([value]) => value > 0)
    .map(([value, unit]) => `${value} ${unit}`)
    .join(" ");
}

export function timeLeft(expiresAt: string, now = Date.now()): string {
  const ms = new Date(expiresAt).getTime() - now;
  return ms <= 0 ? "expired" : `${formatDuration(ms)} left`;
}

/** How long ago: "less than a minute ago", "2 h 5 min ago". */
export function formatAgo(iso: string, now = Date.now()): string {
  const ms = now - new Date(iso).getTime();
  return ms < 60_000 ? "less than a minute ago" : `${formatDuration(ms)} ago`;
}

/** Why an idle tunnel or connection was closed: "idle for 1 minute", "idle for 30 minutes". */
export const idleReason = (minutes: number) => `idle for ${minutes === 1 ? "1 minute" : `${minutes} minutes`}`;

/** A moment in the reader's own locale, or "never". */
export function formatWhen(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}
