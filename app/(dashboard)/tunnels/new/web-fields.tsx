import { controlClass, describedBy, Field, FieldMessages } from "@/app/components/field";
import type { Bound } from "./form-field";
import { type AppsSetting, fieldId, looksLikeWeb } from "./form-model";

type Props = {
  apps: AppsSetting;
  on: boolean;
  scheme: "http" | "https";
  insecureTls: boolean;
  targetPort: string;
  hostHeader: Bound;
  /** The address it would get, once on. */
  preview: string | null;
  error?: string;
  onToggle(on: boolean): void;
  onScheme(scheme: "http" | "https"): void;
  onInsecureTls(insecure: boolean): void;
};

const checkbox = "size-4 rounded border-zinc-500 accent-brand-600";

/** A local tunnel to a web app: opened in the browser through Warren, at an address of its own. */
export function WebFields({ apps, on, scheme, insecureTls, targetPort, hostHeader, preview, error, onToggle, onScheme, onInsecureTls }: Props) {
  const id = fieldId("web");
  const suggested = !on && looksLikeWeb(targetPort);
  if (!apps.domain) {
    return (
      <p data-testid="web-off" className="rounded-md border border-zinc-300 p-3 text-sm text-zinc-700 dark:border-zinc-700 dark:text-zinc-300">
        Opening web apps in the browser is off on this Warren: an admin turns it on with WARREN_APPS_DOMAIN (see docs/web-apps.md).
      </p>
    );
  }
  return (
    <fieldset className="space-y-3 rounded-md border border-zinc-300 p-3 dark:border-zinc-700">
      <legend className="px-1 text-sm font-semibold">In the browser</legend>
      <label className="flex items-center gap-2 text-sm font-medium">
        <input
          id={id}
          type="checkbox"
          className={checkbox}
          checked={on}
          onChange={(event) => onToggle(event.target.checked)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, error, true)}
        />
        Open it in the browser (a web app)
      </label>
      <FieldMessages
        id={id}
        error={error}
        hint={
          suggested
            ? `Port ${targetPort.trim()} usually serves a web page: tick this to open it from any browser, signed in to Warren, with nothing installed.`
            : "Warren serves it at an address of its own, to you and the members of its team who join it."
        }
      />
      {on ? (
        <div className="space-y-3">
          <p data-testid="web-url-preview" className="text-sm">
            Address: <code className="font-mono">{preview}</code>
          </p>
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="space-y-1">
              <label htmlFor="web-scheme" className="block text-sm font-medium">
                The app speaks
              </label>
              <select id="web-scheme" className={controlClass} value={scheme} onChange={(event) => onScheme(event.target.value as "http" | "https")}>
                <option value="http">HTTP</option>
                <option value="https">HTTPS</option>
              </select>
            </div>
            <Field id="web-host-header" label="Host header (optional)" hint="The name the app expects; left empty, its target host and port.">
              {(control) => (
                <input
                  {...control}
                  value={hostHeader.value}
                  onChange={(event) => hostHeader.onChange(event.target.value)}
                  onBlur={hostHeader.onBlur}
                  autoComplete="off"
                  spellCheck={false}
                  className={controlClass}
                />
              )}
            </Field>
          </div>
          {scheme === "https" ? (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" className={checkbox} checked={insecureTls} onChange={(event) => onInsecureTls(event.target.checked)} />
              Do not check the app&rsquo;s certificate (self-signed)
            </label>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}
