"use client";

import { useId, type FormEvent } from "react";
import { Field } from "@/app/components/field";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { addMemberSchema } from "@/lib/validation/teams";
import { useApiForm } from "@/app/lib/field-errors";
import { ROLE_SELECT } from "./member-row";

const FIELDS = ["email", "role"] as const;

/** Owners and admins add someone by email, as a member or an owner; an
 *  owner's choice of someone who shares no other team with them is invited. */
export function AddMemberForm({
  teamId,
  teamName,
  isAdmin,
  onAdded,
}: {
  teamId: string;
  teamName: string;
  isAdmin: boolean;
  onAdded: (message: string) => void;
}) {
  const id = useId();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    await send(addMemberSchema.safeParse({ email: String(data.get("email") ?? ""), role: String(data.get("role") ?? "member") }), async (body) => {
      const { message } = await apiFetch<{ message: string }>(`/teams/${encodeURIComponent(teamId)}/members`, { method: "POST", body });
      form.reset();
      onAdded(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
    });
  }

  return (
    <form ref={formRef} method="post" noValidate onSubmit={submit} aria-label={`Add someone to ${teamName}`} className="flex flex-wrap items-start gap-3">
      <div className="min-w-56 flex-1">
        <TextField label="Email" id={`${id}-email`} name="email" type="email" autoComplete="off" error={errors.email ?? errors.role} />
      </div>
      <Field id={`${id}-role`} label="Role">
        {(control) => (
          <select {...control} name="role" defaultValue="member" className={ROLE_SELECT}>
            <option value="member">member</option>
            <option value="owner">owner</option>
          </select>
        )}
      </Field>
      <SubmitButton pending={pending} className="mt-6">
        {pending ? "Adding…" : "Add to team"}
      </SubmitButton>
      <FormAlert className="w-full">{errors.form}</FormAlert>
      {isAdmin ? null : (
        <p className="w-full text-xs text-zinc-600 dark:text-zinc-400">Someone who is in none of your other teams is invited, and joins once they accept.</p>
      )}
    </form>
  );
}
