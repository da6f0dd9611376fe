import type { TunnelKind } from "@/lib/validation/common";

// Named by what people want to do; the ssh flag is for those who know it.
const KINDS: { kind: TunnelKind; title: string; flag: string; sentence: string }[] = [
  {
    kind: "local",
    title: "Reach a private service",
    flag: "ssh -L",
    sentence: "Warren listens on the bastion and forwards each connection to a service as seen from the SSH host.",
  },
  {
    kind: "remote",
    title: "Expose my service",
    flag: "ssh -R",
    sentence:
      "The SSH host listens and forwards each connection back to a service as seen from the bastion; listening on a public address needs GatewayPorts clientspecified there.",
  },
  {
    kind: "dynamic",
    title: "Browse through the bastion",
    flag: "ssh -D",
    sentence: "Warren runs a SOCKS5 proxy on the bastion; each connection goes out through the SSH host.",
  },
];

/** "Reach a private service" */
export const kindTitle = (kind: TunnelKind) => KINDS.find((option) => option.kind === kind)?.title ?? kind;
/** "remote (ssh -R)" */
export const kindName = (kind: TunnelKind) => `${kind} (${KINDS.find((option) => option.kind === kind)?.flag ?? kind})`;

type Props = {
  value: TunnelKind;
  /** The kinds the chosen host's policy allows; the others are offered disabled, with the reason. */
  allowed: readonly TunnelKind[];
  hostName: string;
  error?: string;
  onChange: (kind: TunnelKind) => void;
};

/** Native radios: arrow keys move between them (skipping those the host
 *  does not allow), Tab leaves the group; the whole card shows the focus ring. */
export function KindPicker({ value, allowed, hostName, error, onChange }: Props) {
  return (
    // Focusable by script only, for when the server's error concerns the kind.
    <fieldset id="kind" tabIndex={-1} aria-describedby={error ? "kind-error" : undefined}>
      <legend className="text-sm font-medium">What do you want to do?</legend>
      <div className="mt-2 grid gap-2 md:grid-cols-3">
        {KINDS.map(({ kind, title, flag, sentence }) => {
          const refused = !allowed.includes(kind);
          return (
            <label
              key={kind}
              className="flex cursor-pointer gap-3 rounded-lg border border-zinc-300 bg-white p-3 has-checked:border-brand-600 has-checked:ring-1 has-checked:ring-brand-600 has-disabled:cursor-not-allowed has-disabled:border-dashed has-disabled:border-zinc-400 has-disabled:bg-zinc-50 has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-brand-500 dark:border-zinc-700 dark:bg-zinc-900 dark:has-checked:border-brand-300 dark:has-checked:ring-brand-300 dark:has-disabled:border-zinc-600 dark:has-disabled:bg-zinc-950"
            >
              <input
                type="radio"
                id={`kind-${kind}`}
                name="kind"
                value={kind}
                checked={value === kind}
                disabled={refused && value !== kind}
                onChange={() => onChange(kind)}
                aria-describedby={refused ? `kind-${kind}-refused kind-${kind}-sentence` : `kind-${kind}-sentence`}
                className="mt-1 size-4 shrink-0 accent-brand-600 focus-visible:outline-none dark:accent-brand-300"
              />
              <span className="space-y-1">
                <span className="block text-sm font-semibold">{title}</span>
                {refused ? (
                  <span id={`kind-${kind}-refused`} className="block text-sm font-medium text-amber-800 dark:text-amber-300">
                    Not allowed on {hostName}.
                  </span>
                ) : null}
                <span id={`kind-${kind}-sentence`} className="block text-sm text-zinc-700 dark:text-zinc-300">
                  {sentence}
                </span>
                <code className="block text-xs text-zinc-600 dark:text-zinc-400">like {flag}</code>
              </span>
            </label>
          );
        })}
      </div>
      {error ? (
        <p id="kind-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
