"use client";

import { startRegistration } from "@simplewebauthn/browser";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/browser";
import { useState, type FormEvent } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { SecondFactorState } from "@/lib/auth/second-factor";
import { formatWhen } from "@/lib/format";

type Passkey = SecondFactorState["passkeys"][number];

/** The person's passkeys: add one (the browser asks the authenticator), or remove one. */
export function PasskeyList({ initial, onChange }: { initial: Passkey[]; onChange: (passkeys: Passkey[]) => void }) {
  const [passkeys, setPasskeys] = useState(initial);
  const [error, setError] = useState("");
  const [pending, setPending] = useState(false);

  function update(next: Passkey[]) {
    setPasskeys(next);
    onChange(next);
  }

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get("passkey-name") ?? "").trim() || "Passkey";
    if (pending) return;
    setPending(true);
    setError("");
    try {
      const { challengeId, options } = await apiFetch<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }>("/me/mfa/passkeys/options", {
        method: "POST",
      });
      const response = await startRegistration({ optionsJSON: options });
      const created = await apiFetch<Passkey>("/me/mfa/passkeys", { method: "POST", body: { challengeId, response, name } });
      update([...passkeys, created]);
      form.reset();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setPending(false);
    }
  }

  async function remove(passkey: Passkey) {
    await apiFetch(`/me/mfa/passkeys/${encodeURIComponent(passkey.id)}`, { method: "DELETE" });
    update(passkeys.filter((row) => row.id !== passkey.id));
  }

  return (
    <div className="space-y-3">
      {passkeys.length > 0 ? (
        <ul aria-label="Your passkeys" className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {passkeys.map((passkey) => (
            <li key={passkey.id} className="flex flex-wrap items-center gap-x-4 gap-y-2 py-2 text-sm">
              <span className="font-medium">{passkey.name}</span>
              <span className="text-zinc-600 dark:text-zinc-400" suppressHydrationWarning>
                added {formatWhen(passkey.createdAt)}, last used {formatWhen(passkey.lastUsedAt)}
              </span>
              <span className="ml-auto">
                <ConfirmAction
                  label={`Remove ${passkey.name}`}
                  confirmLabel="Yes, remove"
                  danger
                  question={<p>Remove this passkey? It no longer signs you in.</p>}
                  onConfirm={() => remove(passkey)}
                />
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <form method="post" noValidate onSubmit={add} className="flex flex-wrap items-end gap-3">
        <div className="min-w-56 flex-1">
          <TextField label="Passkey name" name="passkey-name" placeholder="e.g. work laptop" autoComplete="off" />
        </div>
        <SubmitButton pending={pending} className="">
          {pending ? "Waiting for your authenticator…" : "Add a passkey"}
        </SubmitButton>
      </form>
      <FormAlert>{error}</FormAlert>
    </div>
  );
}
