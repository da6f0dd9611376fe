import { formatDuration } from "@/lib/format";
import { MAX_TTL_MINUTES } from "@/lib/validation/tunnels";
import { TextInput, type Bound } from "./form-field";

const DEFAULT_TTL_MINUTES = 60;

/** "That is 2 h." for a sensible number of minutes, nothing otherwise. */
function ttlReading(raw: string): string {
  const minutes = Number(raw.trim() || DEFAULT_TTL_MINUTES);
  return Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_TTL_MINUTES ? ` That is ${formatDuration(minutes * 60_000)}.` : "";
}

/** How long the tunnel lives and who may use it. */
export function LimitFields({ where, ttl, sources }: { where: string; ttl: Bound; sources: Bound }) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold">Limits</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextInput
          field="ttlMinutes"
          label="Close after (minutes)"
          inputMode="numeric"
          bound={ttl}
          hint={`${DEFAULT_TTL_MINUTES} if left empty; at most ${MAX_TTL_MINUTES} (7 days).${ttlReading(ttl.value)}`}
        />
        <TextInput
          field="allowedSources"
          label="Allowed sources (optional)"
          bound={sources}
          hint={`IP addresses or CIDR ranges as ${where} sees them, separated by commas or spaces, e.g. 10.0.0.0/8, 192.168.1.7. Empty allows anyone who can reach the port.`}
        />
      </div>
    </fieldset>
  );
}
