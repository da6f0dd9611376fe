import { formatDuration } from "@/lib/format";
import type { TunnelKind } from "@/lib/validation/common";
import type { HostPolicy } from "@/lib/validation/host-policy";

/** In the order the forms show them. */
export const KINDS: { kind: TunnelKind; label: string }[] = [
  { kind: "local", label: "Local (ssh -L)" },
  { kind: "remote", label: "Remote (ssh -R)" },
  { kind: "dynamic", label: "Dynamic (ssh -D)" },
];

/** "45 min", "24 h", "7 d", "1 h 30 min": whole hours stay hours up to two days. */
export function ttlText(minutes: number): string {
  if (minutes % 1440 === 0 && minutes >= 2880) return `${minutes / 1440} d`;
  if (minutes % 60 === 0 && minutes < 2880) return `${minutes / 60} h`;
  return formatDuration(minutes * 60_000);
}

/** A list cut short after a few entries, so one summary line stays one line or two. */
function listed(values: string[], shown = 3): string {
  if (values.length <= shown) return values.join(", ");
  return `${values.slice(0, shown).join(", ")} and ${values.length - shown} more`;
}

/** One line: "local, dynamic · targets 10.0.0.0/8 · ports 5432 · loopback only · own address only · up to 24 h (1 h unless asked) · needs approval". */
export function policySummary(policy: HostPolicy): string {
  const kinds = KINDS.filter(({ kind }) => policy.kinds.includes(kind)).map(({ kind }) => kind);
  return [
    kinds.join(", "),
    policy.targets.length ? `targets ${listed(policy.targets)}` : "any target",
    policy.ports.length ? `ports ${listed(policy.ports)}` : "any port",
    policy.publicBinds ? "public binds allowed" : "loopback only",
    policy.anySource ? "any source" : "own address only",
    `up to ${ttlText(policy.maxTtlMinutes)} (${ttlText(Math.min(policy.defaultTtlMinutes, policy.maxTtlMinutes))} unless asked)`,
    ...(policy.idleMinutes ? [`closed after ${ttlText(policy.idleMinutes)} idle`] : []),
    ...(policy.approval ? ["needs approval"] : []),
  ].join(" · ");
}
