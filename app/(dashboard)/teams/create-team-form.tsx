"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { FormCard } from "@/app/components/form-card";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { createTeamSchema } from "@/lib/validation/teams";
import { issueErrors, placeError, useFocusFirstError, type FieldErrors } from "@/app/lib/field-errors";

const FIELDS = ["name", "ownerEmail"] as const;

/** Admins create teams, optionally naming the first owner. */
export function CreateTeamForm() {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors<(typeof FIELDS)[number]>>({});
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState("");

  useFocusFirstError(formRef, FIELDS, errors);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = event.currentTarget;
    const data = new FormData(form);
    const ownerEmail = String(data.get("ownerEmail") ?? "").trim();
    setCreated("");
    // The schema the API applies, for instant feedback next to each field.
    const parsed = createTeamSchema.safeParse({ name: String(data.get("name") ?? ""), ownerEmail: ownerEmail || undefined });
    if (!parsed.success) {
      setErrors(issueErrors(parsed.error.issues, FIELDS));
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const team = await apiFetch<{ name: string }>("/teams", { method: "POST", body: parsed.data });
      form.reset();
      setCreated(`Created ${team.name}.`);
      router.refresh();
    } catch (failure) {
      setErrors(placeError(failure, FIELDS));
    } finally {
      setPending(false);
    }
  }

  return (
    <FormCard id="create-team-heading" title="Create a team" status={created}>
      <form ref={formRef} method="post" noValidate onSubmit={submit} className="grid gap-4 sm:grid-cols-2">
        <TextField label="Team name" name="name" autoComplete="off" required error={errors.name} />
        <TextField label="First owner's email (optional)" name="ownerEmail" type="email" autoComplete="off" error={errors.ownerEmail} />
        <FormAlert className="sm:col-span-2">{errors.form}</FormAlert>
        <div className="sm:col-span-2 sm:max-w-xs">
          <SubmitButton pending={pending}>{pending ? "Creating…" : "Create team"}</SubmitButton>
        </div>
      </form>
    </FormCard>
  );
}
