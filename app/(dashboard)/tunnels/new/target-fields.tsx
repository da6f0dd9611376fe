import { ChoiceGroup } from "@/app/components/choice-group";
import { TextInput, type Bound } from "./form-field";
import type { HostOption } from "./form-model";

/** The destinations a host's policy allows; empty lists mean any. */
type Destinations = { hostName: string; targets: string[]; ports: string[] };

/** "port 5432", "ports 5432, 8000-8999". */
const portsPhrase = (ports: string[]) => `${ports.length === 1 && !ports[0]!.includes("-") ? "port" : "ports"} ${ports.join(", ")}`;

const targetsText = ({ hostName, targets }: Destinations) => (targets.length ? ` ${hostName} allows only ${targets.join(", ")}.` : "");
const portsText = ({ hostName, ports }: Destinations) => (ports.length ? ` ${hostName} allows only ${portsPhrase(ports)}.` : "");

/** Where each connection goes, named as the machine that opens it sees it. */
export function TargetFields({ seenFrom, host, port, policy }: { seenFrom: string; host: Bound; port: Bound; policy?: Destinations }) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold">Target, as seen from {seenFrom}</legend>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        The service each connection reaches. It is dialled from {seenFrom}, so &ldquo;localhost&rdquo; means {seenFrom} itself.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextInput
          field="target.host"
          label="Target host"
          hint={`A host name or IP address, e.g. localhost or 10.0.0.7.${policy ? targetsText(policy) : ""}`}
          bound={host}
        />
        <TextInput
          field="target.port"
          label="Target port"
          inputMode="numeric"
          hint={`The service's port, e.g. 5432 for PostgreSQL.${policy ? portsText(policy) : ""}`}
          bound={port}
        />
      </div>
    </fieldset>
  );
}

const REMOTE_TARGETS = [
  ["host", "A host and port, as seen from the bastion", "Each connection is dialled from the bastion, like ssh -R run there."],
  ["client", "A service on my computer", "Each connection comes to your computer over Warren's HTTPS port, where warren expose hands it on."],
] as const;

/** Remote tunnels: where each connection arriving on the SSH host goes. */
export function RemoteTargetChoice({ value, onChange }: { value: "host" | "client"; onChange: (target: "host" | "client") => void }) {
  return <ChoiceGroup legend="Where each connection goes" name="remote-target" choices={REMOTE_TARGETS} value={value} onChange={onChange} />;
}

/** A remote tunnel to the person's computer: what they run there once it is open. */
export function ExposeNote({ hostName }: { hostName: string }) {
  return (
    <p data-testid="expose-note" className="rounded-md border border-zinc-300 p-3 text-sm dark:border-zinc-700">
      Once it is open, run <code className="font-mono">warren expose</code> on your computer with the port of your service (or HOST:PORT of a machine only your
      computer reaches); the tunnel page shows the two lines. Until then, connections to {hostName} are turned away.
    </p>
  );
}

/** A SOCKS proxy has no one target: each client names its own, and the host's policy checks each. */
export function ProxyDestinations({ host }: { host: HostOption | undefined }) {
  if (!host || (host.policy.targets.length === 0 && host.policy.ports.length === 0)) return null;
  const { name, policy } = host;
  return (
    <div className="space-y-1 rounded-md border border-zinc-300 p-3 text-sm dark:border-zinc-700">
      <p className="font-semibold">Where the proxy may go</p>
      <p className="text-zinc-700 dark:text-zinc-300">
        {name} lets each connection through the proxy reach {policy.targets.length ? `only ${policy.targets.join(", ")}` : "any host"}
        {policy.ports.length ? `, on ${portsPhrase(policy.ports)} only` : ", on any port"}; others are refused as they are made.
      </p>
    </div>
  );
}
