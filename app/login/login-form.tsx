"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";

// next-auth reports a plain wrong password as "CredentialsSignin"; any other
// error text is a message of ours (the rate limit) and is shown as it is.
function describe(error: string): string {
  return error === "CredentialsSignin" ? "Invalid email or password." : error;
}

/** `next`: where to go once signed in, already checked to be one of Warren's pages. */
export function LoginForm({ next }: { next: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email")),
      password: String(form.get("password")),
      redirect: false,
    });
    if (!result || result.error) {
      setError(describe(result?.error ?? "Sign-in failed."));
      setPending(false);
      return;
    }
    router.replace(next);
    router.refresh();
  }

  return (
    <form method="post" onSubmit={submit} className="space-y-4">
      <TextField label="Email" name="email" type="email" autoComplete="username" required />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
      <FormAlert>{error}</FormAlert>
      <SubmitButton pending={pending}>{pending ? "Signing in…" : "Sign in"}</SubmitButton>
    </form>
  );
}
