import { TextInput, type Bound } from "./form-field";

/** Where each connection goes, named as the machine that opens it sees it. */
export function TargetFields({ seenFrom, host, port }: { seenFrom: string; host: Bound; port: Bound }) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold">Target, as seen from {seenFrom}</legend>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        The service each connection reaches. It is dialled from {seenFrom}, so &ldquo;localhost&rdquo; means {seenFrom} itself.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextInput field="target.host" label="Target host" hint="A host name or IP address, e.g. localhost or 10.0.0.7." bound={host} />
        <TextInput field="target.port" label="Target port" inputMode="numeric" hint="The service's port, e.g. 5432 for PostgreSQL." bound={port} />
      </div>
    </fieldset>
  );
}
