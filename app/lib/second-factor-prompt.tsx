"use client";

import { useEffect, useState, type FormEvent } from "react";
import { Dialog } from "@/app/components/dialog";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { answerSessionChallenge } from "@/app/lib/passkey-proof";
import { useApiForm } from "@/app/lib/field-errors";
import { secondFactorCheckSchema } from "@/lib/validation/users";

// When the API asks a browser session to prove its second factor again
// (approvals and host changes, after 15 minutes), apiFetch waits on this
// dialog: the person types a code, and the request is sent again.
let ask: (() => Promise<boolean>) | null = null;

/** Resolves true once the session proved its second factor, false if the person cancelled (or no page can ask). */
export function askSecondFactor(): Promise<boolean> {
  return ask ? ask() : Promise.resolve(false);
}

const FIELDS = ["code"] as const;

/** Mounted once by the dashboard's layout. */
export function SecondFactorPrompt() {
  const [resolve, setResolve] = useState<((proved: boolean) => void) | null>(null);
  const { formRef, errors, pending, send } = useApiForm(FIELDS);

  useEffect(() => {
    ask = () => new Promise<boolean>((done) => setResolve(() => done));
    return () => {
      ask = null;
    };
  }, []);

  function finish(proved: boolean) {
    resolve?.(proved);
    setResolve(null);
    formRef.current?.reset();
  }

  const [passkeyError, setPasskeyError] = useState("");

  async function provePasskey() {
    setPasskeyError("");
    try {
      await apiFetch("/me/mfa/verify", { method: "POST", body: { passkey: await answerSessionChallenge() } });
      finish(true);
    } catch (failure) {
      setPasskeyError(errorMessage(failure));
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await send(secondFactorCheckSchema.safeParse({ code: new FormData(event.currentTarget).get("code") }), async (body) => {
      await apiFetch("/me/mfa/verify", { method: "POST", body });
      finish(true);
    });
  }

  return (
    <Dialog
      open={resolve !== null}
      onOpenChange={(open) => {
        if (!open) finish(false);
      }}
      title="Confirm it is you"
      description="This change needs your second factor again: a code from your authenticator app (or a recovery code), or your passkey."
    >
      <form ref={formRef} method="post" noValidate onSubmit={submit} className="space-y-3">
        <TextField label="Code" id="second-factor-prompt-code" name="code" inputMode="numeric" autoComplete="one-time-code" error={errors.code} />
        <FormAlert>{errors.form ?? passkeyError}</FormAlert>
        <div className="flex flex-wrap gap-2">
          <SubmitButton pending={pending} className="">
            {pending ? "Checking…" : "Confirm"}
          </SubmitButton>
          <button type="button" onClick={() => void provePasskey()} className="rounded-md border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-600">
            Use a passkey
          </button>
          <button type="button" onClick={() => finish(false)} className="rounded-md border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-600">
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
