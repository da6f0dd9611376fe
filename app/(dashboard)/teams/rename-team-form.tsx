"use client";

import { useId, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SaveRow } from "@/app/components/save-row";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import { updateTeamSchema } from "@/lib/validation/teams";

const FIELDS = ["name"] as const;

/** Owners and admins rename a team. */
export function RenameTeamForm({ teamId, name, onRenamed }: { teamId: string; name: string; onRenamed: (message: string) => void }) {
  const id = useId();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await send(updateTeamSchema.safeParse({ name: String(new FormData(event.currentTarget).get("name") ?? "") }), async (body) => {
      await apiFetch(`/teams/${encodeURIComponent(teamId)}`, { method: "PATCH", body });
      onRenamed(`Renamed ${name} to ${body.name}.`);
    });
  }

  return (
    <details className="text-sm">
      <summary className="cursor-pointer rounded font-medium text-brand-700 dark:text-brand-300">Rename</summary>
      <form ref={formRef} method="post" noValidate onSubmit={submit} aria-label={`Rename ${name}`} className="mt-2 space-y-3">
        <TextField label="New name" id={`${id}-name`} name="name" defaultValue={name} autoComplete="off" error={errors.name} />
        <FormAlert>{errors.form}</FormAlert>
        <SaveRow pending={pending} label="Rename team" status="" />
      </form>
    </details>
  );
}
