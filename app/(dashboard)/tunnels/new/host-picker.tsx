import Link from "next/link";
import { controlClass, Field } from "@/app/components/field";
import { fieldId, type HostOption } from "./form-model";

const endpoint = (host: HostOption) => `${host.username}@${host.address}${host.port === 22 ? "" : `:${host.port}`}`;

export function HostPicker({
  hosts,
  value,
  error,
  canAddHosts,
  onChange,
}: {
  hosts: HostOption[];
  value: string;
  error?: string;
  canAddHosts: boolean;
  onChange: (hostId: string) => void;
}) {
  if (hosts.length === 0) {
    return (
      <div
        id="hostId"
        tabIndex={-1}
        className="space-y-1 rounded-md border border-amber-700 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-400 dark:bg-amber-950/40 dark:text-amber-100"
      >
        <p className="font-medium">There are no SSH hosts yet, so there is nothing to tunnel through.</p>
        <p>
          {canAddHosts ? (
            <Link href="/hosts" className="underline underline-offset-4">
              Add a host
            </Link>
          ) : (
            "Ask an admin to add one."
          )}
        </p>
      </div>
    );
  }
  const selected = hosts.find((host) => host.id === value);
  return (
    <Field
      id={fieldId("hostId")}
      label="SSH host"
      error={error}
      hint={
        selected?.hostKeyStatus === "changed" ? (
          <span className="font-medium text-amber-800 dark:text-amber-300">
            {selected.name}&apos;s host key has changed: Warren refuses to connect until an admin checks it.
          </span>
        ) : (
          "The machine Warren connects to over SSH; the tunnel goes through it."
        )
      }
    >
      {(control) => (
        <select {...control} name="hostId" value={value} onChange={(event) => onChange(event.target.value)} className={controlClass}>
          {value === "" ? <option value="">Choose a host…</option> : null}
          {hosts.map((host) => (
            <option key={host.id} value={host.id}>
              {host.name} ({endpoint(host)}){host.hostKeyStatus === "changed" ? " — host key changed" : ""}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
