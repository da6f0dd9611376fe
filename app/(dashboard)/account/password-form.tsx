"use client";

import { useState, type FormEvent } from "react";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { changePasswordSchema } from "@/lib/validation/users";

type Errors = { current?: string; password?: string; form?: string };

/** The person's own password: the current one proves it is them; their other browser sessions end. */
export function PasswordForm() {
  const [errors, setErrors] = useState<Errors>({});
  const [notice, setNotice] = useState("");
  const [pending, setPending] = useState(false);

  async function change(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const parsed = changePasswordSchema.safeParse({ current: data.get("current-password"), password: data.get("new-password") });
    setNotice("");
    if (!parsed.success) {
      const found: Errors = {};
      for (const issue of parsed.error.issues) found[issue.path[0] as "current" | "password"] ??= issue.message;
      return setErrors(found);
    }
    if (pending) return;
    setPending(true);
    try {
      await apiFetch("/me/password", { method: "POST", body: parsed.data });
      setErrors({});
      setNotice("Your password is changed; your other browser sessions have ended.");
      form.reset();
    } catch (caught) {
      const field = caught instanceof ApiRequestError ? caught.field : undefined;
      setErrors(field === "current" || field === "password" ? { [field]: caught instanceof Error ? caught.message : "" } : { form: errorMessage(caught) });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="password-heading" className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id="password-heading" className="font-semibold">
        Password
      </h2>
      <form onSubmit={change} method="post" noValidate className="grid max-w-md gap-3">
        <TextField label="Current password" name="current-password" type="password" autoComplete="current-password" error={errors.current} />
        <TextField
          label="New password"
          name="new-password"
          type="password"
          autoComplete="new-password"
          error={errors.password}
          hint="At least 10 characters, 5 of them different."
        />
        <div>
          <SubmitButton pending={pending}>{pending ? "Changing…" : "Change password"}</SubmitButton>
        </div>
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
          {notice}
        </p>
        {errors.form ? <p className="text-sm text-red-700 dark:text-red-400">{errors.form}</p> : null}
      </form>
    </section>
  );
}
