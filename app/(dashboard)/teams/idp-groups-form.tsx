"use client";

import { useId, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SaveRow } from "@/app/components/save-row";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import { updateTeamSchema } from "@/lib/validation/teams";

const FIELDS = ["idpGroups"] as const;

/** Admins name the identity provider's groups whose members are this team's members. */
export function IdpGroupsForm({
  teamId,
  name,
  groups,
  ssoName,
  onSaved,
}: {
  teamId: string;
  name: string;
  groups: string[];
  ssoName: string;
  onSaved: (message: string) => void;
}) {
  const id = useId();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const listed = String(new FormData(event.currentTarget).get("idpGroups") ?? "")
      .split(",")
      .map((group) => group.trim())
      .filter(Boolean);
    await send(updateTeamSchema.safeParse({ idpGroups: listed }), async (body) => {
      await apiFetch(`/teams/${encodeURIComponent(teamId)}`, { method: "PATCH", body });
      onSaved(
        body.idpGroups?.length ? `Members of ${body.idpGroups.join(", ")} join ${name} when they sign in.` : `${name} takes no members from ${ssoName} groups.`,
      );
    });
  }

  return (
    <details className="text-sm">
      <summary className="cursor-pointer rounded font-medium text-brand-700 dark:text-brand-300">Groups from {ssoName}</summary>
      <form ref={formRef} method="post" noValidate onSubmit={submit} aria-label={`Groups from ${ssoName} for ${name}`} className="mt-2 space-y-3">
        <TextField
          label="Group names, separated by commas"
          id={`${id}-idpGroups`}
          name="idpGroups"
          defaultValue={groups.join(", ")}
          autoComplete="off"
          error={errors.idpGroups}
          hint={`At each sign-in through ${ssoName}, members of these groups join ${name} and those who left them leave it. People added here by hand stay.`}
        />
        <FormAlert>{errors.form}</FormAlert>
        <SaveRow pending={pending} label="Save groups" status="" />
      </form>
    </details>
  );
}
