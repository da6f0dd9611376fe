import { formatDuration } from "@/lib/format";
import { isLoopback } from "@/lib/tunnels/tunnel-rules";
import { TextInput, type Bound } from "./form-field";
import { MAX_TTL_MINUTES } from "@/lib/validation/common";
import { blankTtl, idleLimit, maxTtl, type HostOption, type Requester } from "./form-model";

/** "That is 2 h." for a number of minutes the host allows (`blank` when empty), nothing otherwise. */
function minutesReading(raw: string, blank: number | null, max: number): string {
  const minutes = raw.trim() ? Number(raw.trim()) : blank;
  return minutes !== null && Number.isInteger(minutes) && minutes >= 1 && minutes <= max ? ` That is ${formatDuration(minutes * 60_000)}.` : "";
}

/** What an empty idle field means on the chosen host, and how long it may be. */
function idleHint(raw: string, host?: HostOption): string {
  const limit = idleLimit(host);
  const rule = "With no connection and no traffic for this long, the tunnel closes.";
  if (!limit) return `${rule} Empty: it never closes for being idle.${minutesReading(raw, null, MAX_TTL_MINUTES)}`;
  return `${rule} ${limit} if left empty; at most ${limit}, the host's limit.${minutesReading(raw, limit, limit)}`;
}

/** Who may connect, as the server decides it: the SSH host's loopback needs no list; elsewhere the default is the requester alone. */
function sourcesHint({
  remote,
  where,
  listenAddress,
  host,
  requester,
}: {
  remote: boolean;
  where: string;
  listenAddress: string;
  host?: HostOption;
  requester: Requester;
}): string {
  const address = listenAddress.trim();
  if (remote && address && isLoopback(address)) {
    return `Not needed here: ${address} is a loopback address, so only programs on ${where} itself can connect, whatever you list.`;
  }
  const who = requester.ip
    ? `Only ${requester.ip} (your address) may connect unless you list others; wider ranges need the host's permission or an admin.`
    : "Warren cannot tell your address, so list the addresses that may connect; wider ranges need the host's permission or an admin.";
  const loopback = address && isLoopback(address) ? ` On ${address}, only programs on ${where} itself can connect: list 127.0.0.1 to let them in.` : "";
  const wider = host?.policy.anySource ? ` ${host.name} allows wider ranges.` : requester.isAdmin ? " As an admin, you may list wider ranges." : "";
  return `${who}${loopback}${wider} IP addresses or CIDR ranges as ${where} sees them, separated by commas or spaces, e.g. 192.168.1.7, 10.0.0.0/8.`;
}

type Props = {
  /** Whether the tunnel has a port anyone could connect to; with none, there are no sources to allow. */
  listener: boolean;
  /** Whether the new port opens on the SSH host (a remote tunnel) rather than the bastion. */
  remote: boolean;
  /** The machine the new port opens on. */
  where: string;
  listenAddress: string;
  host?: HostOption;
  requester: Requester;
  ttl: Bound;
  idle: Bound;
  sources: Bound;
};

/** How long the tunnel lives, how long it may sit idle, and who may use it. */
export function LimitFields({ listener, remote, where, listenAddress, host, requester, ttl, idle, sources }: Props) {
  const max = maxTtl(host);
  const blank = blankTtl(host);
  const ceiling = host ? `at most ${max} (${formatDuration(max * 60_000)}) on ${host.name}` : `at most ${max} (7 days)`;
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold">Limits</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextInput
          field="ttlMinutes"
          label="Close after (minutes)"
          inputMode="numeric"
          bound={ttl}
          hint={`${blank} if left empty; ${ceiling}.${minutesReading(ttl.value, blank, max)}`}
        />
        {/* Shown on every host: one without an idle limit still closes a tunnel idle for as long as asked. */}
        <TextInput field="idleMinutes" label="Close when idle for (minutes)" inputMode="numeric" bound={idle} hint={idleHint(idle.value, host)} />
        {listener ? (
          <TextInput
            field="allowedSources"
            label="Allowed sources (optional)"
            bound={sources}
            hint={sourcesHint({ remote, where, listenAddress, host, requester })}
          />
        ) : null}
      </div>
    </fieldset>
  );
}
