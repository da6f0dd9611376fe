"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { controlClass, Field } from "@/app/components/field";
import { FormAlert } from "@/app/components/form-alert";
import { FormCard } from "@/app/components/form-card";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import { createAuditSinkSchema } from "@/lib/validation/integrations";

const FIELDS = ["kind", "name", "url", "secret", "target"] as const;

/** Admins add a webhook or a syslog collector; it gets the whole audit trail still in the database, then every new record. */
export function AddSinkForm() {
  const router = useRouter();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);
  const [kind, setKind] = useState<"webhook" | "syslog">("webhook");
  const [added, setAdded] = useState("");

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body =
      kind === "webhook"
        ? { kind, name: data.get("name"), url: data.get("url"), secret: data.get("secret") }
        : { kind, name: data.get("name"), target: data.get("target") };
    setAdded("");
    await send(createAuditSinkSchema.safeParse(body), async () => {
      const sink = await apiFetch<{ name: string }>("/integrations", { method: "POST", body });
      form.reset();
      setAdded(`Added ${sink.name}.`);
      router.refresh();
    });
  }

  return (
    <FormCard id="add-sink-heading" title="Add a sink" status={added}>
      <form ref={formRef} method="post" noValidate onSubmit={submit} className="grid gap-4 sm:grid-cols-2">
        <Field id="new-sink-kind" label="Kind" error={errors.kind}>
          {(control) => (
            <select {...control} name="kind" value={kind} onChange={(event) => setKind(event.target.value as "webhook" | "syslog")} className={controlClass}>
              <option value="webhook">Webhook</option>
              <option value="syslog">Syslog (RFC 5424 over TCP or TLS)</option>
            </select>
          )}
        </Field>
        <TextField label="Name" name="name" autoComplete="off" required error={errors.name} hint="letters, digits and dashes, e.g. siem" />
        {kind === "webhook" ? (
          <>
            <TextField label="URL" name="url" type="url" autoComplete="off" required error={errors.url} />
            <TextField
              label="Secret"
              name="secret"
              type="password"
              autoComplete="new-password"
              required
              error={errors.secret}
              hint="16 characters or more: the key of X-Warren-Signature"
            />
          </>
        ) : (
          <TextField label="Collector" name="target" autoComplete="off" required error={errors.target} hint="tcp://host:port or tls://host:port" />
        )}
        <FormAlert className="sm:col-span-2">{errors.form}</FormAlert>
        <div className="sm:col-span-2 sm:max-w-xs">
          <SubmitButton pending={pending}>{pending ? "Adding…" : "Add sink"}</SubmitButton>
        </div>
      </form>
    </FormCard>
  );
}
