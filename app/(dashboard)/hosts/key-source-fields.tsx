import { controlClass, Field, VERBATIM } from "@/app/components/field";
import { TextField } from "@/app/components/text-field";

export type KeySource = "keep" | "generate" | "paste";

type Props = {
  /** Changing a host's key: keeping the current one is the first choice. */
  canKeep?: boolean;
  source: KeySource;
  onSourceChange: (source: KeySource) => void;
  errors: { privateKey?: string; passphrase?: string };
};

const OPTIONS: { value: KeySource; label: string; hint: string }[] = [
  {
    value: "keep",
    label: "Keep the current key",
    hint: "Warren goes on signing in with the key it has.",
  },
  {
    value: "generate",
    label: "Generate a key pair",
    hint: "Warren makes an ed25519 pair and keeps the private half, encrypted; you install the public half on the host.",
  },
  {
    value: "paste",
    label: "Paste a private key",
    hint: "A key (OpenSSH or PEM) the host already accepts. It is stored encrypted and never shown again.",
  },
];

/** How Warren signs in to the host: a pair it makes, or a key the admin already has (or, when editing one, the key it has). */
export function KeySourceFields({ canKeep = false, source, onSourceChange, errors }: Props) {
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium">Credential</legend>
      <div className="space-y-2">
        {OPTIONS.filter((option) => canKeep || option.value !== "keep").map((option) => (
          <div key={option.value} className="flex items-start gap-2">
            <input
              type="radio"
              id={`keySource-${option.value}`}
              name="keySource"
              value={option.value}
              checked={source === option.value}
              onChange={() => onSourceChange(option.value)}
              aria-describedby={`keySource-${option.value}-hint`}
              className="mt-1 size-4 accent-brand-600 dark:accent-brand-300"
            />
            <div>
              <label htmlFor={`keySource-${option.value}`} className="text-sm font-medium">
                {option.label}
              </label>
              <p id={`keySource-${option.value}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
                {option.hint}
              </p>
            </div>
          </div>
        ))}
      </div>
      {/* Unmounted, not hidden, when generating: a pasted key must not linger in the page. */}
      {source === "paste" ? (
        <div className="space-y-3">
          <PrivateKeyField error={errors.privateKey} />
          <TextField label="Passphrase" name="passphrase" type="password" autoComplete="off" error={errors.passphrase} hint="Only if the key is encrypted." />
        </div>
      ) : null}
    </fieldset>
  );
}

function PrivateKeyField({ error }: { error?: string }) {
  return (
    <Field id="privateKey" label="Private key" error={error}>
      {(control) => <textarea {...control} name="privateKey" rows={6} required {...VERBATIM} className={`${controlClass} font-mono`} />}
    </Field>
  );
}
