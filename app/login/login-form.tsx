"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { SECOND_FACTOR_INVALID, SECOND_FACTOR_REQUIRED } from "@/lib/auth/sign-in-errors";

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
  // Once the password is right on an account with a second factor, the form asks for a code too.
  const [askCode, setAskCode] = useState(false);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setCodeError(undefined);
    const result = await signIn("credentials", {
      email: String(form.get("email")),
      password: String(form.get("password")),
      code: String(form.get("code") ?? ""),
      redirect: false,
    });
    if (!result || result.error) {
      setPending(false);
      if (result?.error === SECOND_FACTOR_REQUIRED) return setAskCode(true);
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
      <FormAlert>{error}</FormAlert>
      <SubmitButton pending={pending}>{pending ? "Signing in…" : "Sign in"}</SubmitButton>
    </form>
  );
}
