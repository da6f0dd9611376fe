"use client";

import { useState, type FormEvent } from "react";
import { CopyableCode } from "@/app/components/copyable-code";
import { controlClass, Field } from "@/app/components/field";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { TOKEN_SCOPES } from "@/lib/auth/token-scope";
import type { TokenScope } from "@/lib/generated/prisma/enums";
import { createApiTokenSchema } from "@/lib/validation/api-tokens";
import { formatWhen } from "@/lib/format";

export type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
};

const SCOPE_LABELS: Record<TokenScope, string> = {
  read: "Read only",
  tunnels: "Tunnels: read, and open, change and close tunnels",
  admin: "Everything you can do",
};

/** A token's state after its name: revoked, expired, or until when it works. */
function validity(token: TokenRow): string {
  if (token.revokedAt) return "revoked";
  if (!token.expiresAt) return "never expires";
  return new Date(token.expiresAt).getTime() <= Date.now() ? `expired ${formatWhen(token.expiresAt)}` : `expires ${formatWhen(token.expiresAt)}`;
}

export function TokenManager({ initial }: { initial: TokenRow[] }) {
  const [tokens, setTokens] = useState(initial);
  const [fresh, setFresh] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const parsed = createApiTokenSchema.safeParse({ name: data.get("token-name"), scope: data.get("token-scope"), expiresInDays: data.get("token-days") });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return setError(issue ? `${issue.path[0] === "expiresInDays" ? "Days" : "Name"} ${issue.message}` : undefined);
    }
    if (pending) return;
    setPending(true);
    try {
      const { token, ...row } = await apiFetch<TokenRow & { token: string }>("/tokens", { method: "POST", body: parsed.data });
      setTokens((current) => [row, ...current]);
      setFresh({ name: row.name, token });
      setError(undefined);
      form.reset();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setPending(false);
    }
  }

  async function revoke(token: TokenRow) {
    if (!window.confirm(`Revoke "${token.name}"? Scripts using it stop working at once.`)) return;
    const revoked = await apiFetch<TokenRow>(`/tokens/${token.id}`, { method: "DELETE" });
    setTokens((current) => current.map((row) => (row.id === token.id ? revoked : row)));
  }

  return (
    <section aria-labelledby="tokens-heading" className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div>
        <h2 id="tokens-heading" className="font-semibold">
          API tokens
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          For scripts and the API: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as you; revoke it when it is no longer needed.
        </p>
      </div>
      <form onSubmit={create} method="post" noValidate className="flex flex-wrap items-end gap-3">
        <div className="min-w-56 flex-1">
          <TextField label="Token name" name="token-name" placeholder="e.g. deploy script" error={error} />
        </div>
        <Field id="token-scope" label="What it may do">
          {(control) => (
            <select {...control} name="token-scope" defaultValue="tunnels" className={controlClass}>
              {TOKEN_SCOPES.map((scope) => (
                <option key={scope} value={scope}>
                  {SCOPE_LABELS[scope]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="w-32">
          <TextField label="Valid for (days)" name="token-days" type="number" min={1} max={365} defaultValue={90} />
        </div>
        <SubmitButton pending={pending} className="">
          {pending ? "Creating…" : "Create token"}
        </SubmitButton>
      </form>
      {fresh ? (
        <div role="status" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
          <p>
            Token <strong>{fresh.name}</strong> created. Copy it now: Warren keeps only a hash and cannot show it again.
          </p>
          <CopyableCode text={fresh.token} testId="new-token" />
        </div>
      ) : null}
      {tokens.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">You have no tokens.</p>
      ) : (
        <ul aria-label="Your tokens" className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {tokens.map((token) => (
            <li key={token.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-2 text-sm">
              <span className="font-medium">{token.name}</span>
              <code className="text-zinc-600 dark:text-zinc-400">{token.prefix}…</code>
              <span className="text-zinc-600 dark:text-zinc-400">{SCOPE_LABELS[token.scope]}</span>
              <span className="text-zinc-600 dark:text-zinc-400" suppressHydrationWarning>
                created {formatWhen(token.createdAt)}, last used {formatWhen(token.lastUsedAt)}, {validity(token)}
              </span>
              {token.revokedAt ? null : (
                <button
                  type="button"
                  onClick={() => void revoke(token)}
                  aria-label={`Revoke ${token.name}`}
                  className="ml-auto rounded-md border border-red-300 px-2 py-1 text-xs font-medium text-red-800 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950"
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
