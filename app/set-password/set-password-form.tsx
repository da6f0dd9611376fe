"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import { setPasswordSchema } from "@/lib/validation/users";

const FIELDS = ["password", "secret"] as const;

/** Posts the link's secret with the new password, then signs the person in with it. */
export function SetPasswordForm() {
  const router = useRouter();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);
  const [secret, setSecret] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => {
    setSecret(window.location.hash.slice(1));
    // Off the address bar and out of the history, once read.
    window.history.replaceState(null, "", window.location.pathname);
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    await send(setPasswordSchema.safeParse({ secret, password }), async (body) => {
      const { email } = await apiFetch<{ email: string }>("/set-password", { method: "POST", body });
      const signedIn = await signIn("credentials", { email, password, redirect: false });
      if (signedIn?.ok && !signedIn.error) {
        router.replace("/tunnels");
        router.refresh();
      } else {
        setDone(email);
      }
    });
  }

  if (secret === "") return <FormAlert>This page needs the whole link an admin sent you, with the part after the #.</FormAlert>;
  if (done) {
    return (
      <p role="status" className="text-sm">
        The password of {done} is set.{" "}
        <Link href="/login" className="underline">
          Sign in
        </Link>
        .
      </p>
    );
  }
  return (
    <form ref={formRef} method="post" noValidate onSubmit={submit} className="space-y-4">
      <TextField
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        error={errors.password}
        hint="At least 10 characters, 5 of them different."
      />
      <FormAlert>{errors.secret ?? errors.form}</FormAlert>
      <SubmitButton pending={pending}>{pending ? "Setting…" : "Set password and sign in"}</SubmitButton>
    </form>
  );
}
