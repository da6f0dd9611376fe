"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { answerSignInChallenge } from "@/app/lib/passkey-proof";
import { errorMessage } from "@/app/lib/error-message";
import { SECOND_FACTOR_INVALID, SECOND_FACTOR_REQUIRED } from "@/lib/auth/sign-in-errors";

/** What the sign-in asks for once the password is right: "SecondFactorRequired", with a passkey challenge's id and
 *  whether a code also works ("SecondFactorRequired:<id>:code" or "…:passkey"). */
function secondFactorAsked(error: string): { code: boolean; passkeyChallenge: string | null } | null {
  const [kind, challenge, methods] = error.split(":");
  if (kind !== SECOND_FACTOR_REQUIRED) return null;
  return { code: !challenge || methods === "code", passkeyChallenge: challenge ?? null };
}

// next-auth reports a plain wrong password as "CredentialsSignin"; any other
// error text is a message of ours (the rate limit) and is shown as it is.
function describe(error: string): string {
  return error === "CredentialsSignin" ? "Invalid email or password." : error;
}

/** `next`: where to go once signed in, already checked to be one of Warren's pages. */
export function LoginForm({ next }: { next: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  // Once the password is right on an account with a second factor, the form asks for a code or a passkey too.
  const [asked, setAsked] = useState<{ code: boolean; passkeyChallenge: string | null } | null>(null);
  const askCode = asked?.code ?? false;
  const [pending, setPending] = useState(false);

  async function attempt(form: FormData, passkey?: string) {
    setPending(true);
    setError(null);
    setCodeError(undefined);
    const result = await signIn("credentials", {
      email: String(form.get("email")),
      password: String(form.get("password")),
      code: passkey ? "" : String(form.get("code") ?? ""),
      passkey: passkey ?? "",
      redirect: false,
    });
    if (!result || result.error) {
      setPending(false);
      const second = secondFactorAsked(result?.error ?? "");
      if (second) return setAsked(second);
      if (result?.error === SECOND_FACTOR_INVALID) {
        document.getElementById("code")?.focus();
        return setCodeError("That code did not work: use the one your authenticator app shows now, or an unused recovery code.");
      }
      setError(describe(result?.error ?? "Sign-in failed."));
      return;
    }
    router.replace(next);
    router.refresh();
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await attempt(new FormData(event.currentTarget));
  }

  /** The authenticator signs the challenge; the sign-in is sent again with its answer. */
  async function provePasskey(form: HTMLFormElement | null, challengeId: string) {
    if (!form) return;
    try {
      const answer = await answerSignInChallenge(challengeId);
      await attempt(new FormData(form), JSON.stringify(answer));
    } catch (failure) {
      setError(`The passkey did not sign you in: ${errorMessage(failure)}`);
    }
  }

  return (
    <form method="post" onSubmit={submit} className="space-y-4">
      <TextField label="Email" name="email" type="email" autoComplete="username" required />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
      {askCode ? (
        <TextField
          // It appears once the password is right: where the person types next.
          autoFocus
          label="Code from your authenticator app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          error={codeError}
          hint="The 6 digits it shows now, or one of your recovery codes."
        />
      ) : null}
      {asked?.passkeyChallenge ? (
        <button
          type="button"
          onClick={(event) => void provePasskey(event.currentTarget.form, asked.passkeyChallenge!)}
          className="w-full rounded-md border border-brand-600 px-3 py-2 text-sm font-semibold text-brand-700 hover:bg-brand-50 dark:text-brand-300 dark:hover:bg-zinc-800"
        >
          Use your passkey
        </button>
      ) : null}
      <FormAlert>{error}</FormAlert>
      <SubmitButton pending={pending}>{pending ? "Signing in…" : "Sign in"}</SubmitButton>
    </form>
  );
}
