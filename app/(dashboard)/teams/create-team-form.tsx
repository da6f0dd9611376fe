"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { FormCard } from "@/app/components/form-card";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { createTeamSchema } from "@/lib/validation/teams";
import { useApiForm } from "@/app/lib/field-errors";

const FIELDS = ["name", "ownerEmail"] as const;

/** Admins create teams, optionally naming the first owner. */
export function CreateTeamForm() {
  const router = useRouter();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);
  const [created, setCreated] = useState("");

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const ownerEmail = String(data.get("ownerEmail") ?? "").trim();
    setCreated("");
    // The schema the API applies, for instant feedback next to each field.
    await send(createTeamSchema.safeParse({ name: String(data.get("name") ?? ""), ownerEmail: ownerEmail || undefined }), async (body) => {
      const team = await apiFetch<{ name: string }>("/teams", { method: "POST", body });
      form.reset();
      setCreated(`Created ${team.name}.`);
      router.refresh();
    });
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
