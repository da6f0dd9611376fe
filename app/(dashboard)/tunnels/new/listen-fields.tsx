import { ChoiceGroup } from "@/app/components/choice-group";
import { isLoopback } from "@/lib/tunnels/tunnel-rules";
import { controlClass, Field } from "@/app/components/field";
import type { TunnelKind } from "@/lib/validation/common";
import { TextInput, type Bound } from "./form-field";
import { fieldId } from "./form-model";

type Props = {
  kind: TunnelKind;
  /** Local and dynamic: whether Warren opens a port on the bastion at all. */
  bastionReach: "connect" | "port";
  onReachChange: (reach: "connect" | "port") => void;
  hostName: string;
  address: Bound;
  port: Bound;
  /** Who can connect to the new port, from the diagram model. */
  reach: string;
  listenAddresses: string[];
  listenPorts: { min: number; max: number };
  /** Whether the host's policy allows listening beyond loopback. */
  publicBinds: boolean;
};

/** The new port: the left side of the ssh spec, on the bastion or on the SSH host. */
const REACH_CHOICES = [
  ["connect", "Only through warren connect — no port on the bastion (safest)", "Your laptop opens the port; Warren checks who you are on each connection."],
  ["port", "A port on the bastion", "Programs that can reach the bastion connect to it, from the sources you allow."],
] as const;

/** Local and dynamic tunnels: through warren connect only, or a port on the bastion too. */
function ReachChoice({ value, onChange }: { value: "connect" | "port"; onChange: (reach: "connect" | "port") => void }) {
  return <ChoiceGroup legend="How you reach it" name="bastion-reach" choices={REACH_CHOICES} value={value} onChange={onChange} />;
}

export function ListenFields({ kind, bastionReach, onReachChange, hostName, address, port, reach, listenAddresses, listenPorts, publicBinds }: Props) {
  const remote = kind === "remote";
  if (!remote && bastionReach === "connect") return <ReachChoice value={bastionReach} onChange={onReachChange} />;
  const hint = publicBinds ? reach : `${reach} Tunnels through ${hostName} may listen on loopback only (127.0.0.1, ::1 or localhost).`;
  return (
    <>
      {remote ? null : <ReachChoice value={bastionReach} onChange={onReachChange} />}
      <ListenPort {...{ remote, hostName, address, port, hint, listenAddresses, listenPorts, publicBinds }} />
    </>
  );
}

type ListenPortProps = Pick<Props, "hostName" | "address" | "port" | "listenAddresses" | "listenPorts" | "publicBinds"> & { remote: boolean; hint: string };

function ListenPort({ remote, hostName, address, port, hint, listenAddresses, listenPorts, publicBinds }: ListenPortProps) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold">New port on {remote ? hostName : "the bastion"}</legend>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {remote
          ? `${hostName} opens this port; each connection to it comes back through the bastion.`
          : "Warren opens this port on the bastion; connect to it to use the tunnel."}
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        {remote ? (
          <TextInput field="listen.address" label="Listen address" hint={hint} bound={address} list="remote-listen-addresses" />
        ) : (
          // Warren may only bind where the operator allows, so offer just those.
          <Field id={fieldId("listen.address")} label="Listen address" hint={hint} error={address.error}>
            {(control) => (
              <select
                {...control}
                name="listen.address"
                value={address.value}
                onChange={(event) => address.onChange(event.target.value)}
                className={controlClass}
              >
                {listenAddresses.map((choice) => {
                  // Kept selectable while chosen, so the error can say why it will not do.
                  const refused = !publicBinds && !isLoopback(choice) && choice !== address.value;
                  return (
                    <option key={choice} value={choice} disabled={refused}>
                      {choice}
                      {!publicBinds && !isLoopback(choice) ? ` — not allowed on ${hostName}` : ""}
                    </option>
                  );
                })}
              </select>
            )}
          </Field>
        )}
        <TextInput
          field="listen.port"
          label="Listen port"
          inputMode="numeric"
          bound={port}
          hint={
            remote ? `Any free port on ${hostName}; ports below 1024 need root there.` : `Warren may listen on ports ${listenPorts.min} to ${listenPorts.max}.`
          }
        />
        {remote ? (
          <datalist id="remote-listen-addresses">
            <option value="127.0.0.1">only {hostName} itself</option>
            {publicBinds ? <option value="0.0.0.0">everyone who can reach {hostName}</option> : null}
          </datalist>
        ) : null}
      </div>
    </fieldset>
  );
}
