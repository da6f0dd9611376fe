"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { CopyableCode } from "@/app/components/copyable-code";
import { controlClass, Field } from "@/app/components/field";
import { FormAlert } from "@/app/components/form-alert";
import { FormCard } from "@/app/components/form-card";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import type { PasswordLinkDto } from "@/lib/auth/password-links";
import { createUserSchema } from "@/lib/validation/users";

const FIELDS = ["email", "name", "role"] as const;

/** Admins add someone; they set their own password with the one-time link this shows. */
export function CreateUserForm() {
  const router = useRouter();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);
  const [invited, setInvited] = useState<{ email: string; link: PasswordLinkDto } | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const name = String(data.get("name") ?? "").trim();
    setInvited(null);
    await send(createUserSchema.safeParse({ email: data.get("email"), name: name || undefined, role: data.get("role") }), async (body) => {
      const user = await apiFetch<{ email: string; setPasswordLink: PasswordLinkDto }>("/users", { method: "POST", body });
      form.reset();
      setInvited({ email: user.email, link: user.setPasswordLink });
      router.refresh();
    });
  }

  return (
    <FormCard id="create-user-heading" title="Add a person" status={invited ? `Added ${invited.email}.` : ""}>
      <form ref={formRef} method="post" noValidate onSubmit={submit} className="grid gap-4 sm:grid-cols-3">
        <TextField label="Email" name="email" type="email" autoComplete="off" required error={errors.email} />
        <TextField label="Name (optional)" name="name" autoComplete="off" error={errors.name} />
        <Field id="new-user-role" label="Role" error={errors.role}>
          {(control) => (
            <select {...control} name="role" defaultValue="user" className={controlClass}>
              <option value="user">User</option>
              <option value="admin">Admin</option>
            </select>
          )}
        </Field>
        <FormAlert className="sm:col-span-3">{errors.form}</FormAlert>
        <div className="sm:col-span-3 sm:max-w-xs">
          <SubmitButton pending={pending}>{pending ? "Adding…" : "Add person"}</SubmitButton>
        </div>
      </form>
      {invited ? <PasswordLinkNotice email={invited.email} link={invited.link} /> : null}
    </FormCard>
  );
}

/** A one-time link to hand over: shown once, not kept anywhere readable. */
export function PasswordLinkNotice({ email, link }: { email: string; link: PasswordLinkDto }) {
  return (
    <div className="mt-4 space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
      <p suppressHydrationWarning>
        Send this link to {email}: it sets {link.purpose === "invite" ? "their first" : "a new"} password, works once, and expires{" "}
        {new Date(link.expiresAt).toLocaleString()}. Warren cannot show it again.
      </p>
      <CopyableCode text={link.url} testId="password-link" />
    </div>
  );
}
