"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import { createHostSchema, type CreateHostInput } from "@/lib/validation/hosts";
import { errorMessage } from "./error-message";
import { HintedField } from "./hinted-field";
import type { HostView } from "./host-view";
import { KeySourceFields, type KeySource } from "./key-source-fields";
import { PublicKeyInstructions } from "./public-key-instructions";

// In the form's order, so the first one wrong is the one that gets focus.
const FIELDS = ["name", "address", "port", "username", "privateKey", "passphrase", "hostKeyFingerprint"] as const;
type Field = (typeof FIELDS)[number];
type Errors = Partial<Record<Field | "form", string>>;
type Created = Pick<HostView, "name" | "username" | "publicKey" | "keyGenerated">;

function isField(field: string | undefined): field is Field {
  return FIELDS.some((known) => known === field);
}

function readForm(form: HTMLFormElement, source: KeySource): CreateHostInput {
  const data = new FormData(form);
  const text = (key: string) => String(data.get(key) ?? "").trim();
  const port = text("port");
  return {
    name: text("name"),
    address: text("address"),
    port: port === "" ? undefined : Number(port),
    username: text("username"),
    hostKeyFingerprint: text("hostKeyFingerprint") || undefined,
    // Key and passphrase are taken as typed: whitespace can matter in both.
    ...(source === "generate"
      ? { generateKey: true }
      : { privateKey: String(data.get("privateKey") ?? ""), passphrase: String(data.get("passphrase") ?? "") || undefined }),
  };
}

export function AddHostForm() {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [source, setSource] = useState<KeySource>("generate");
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<Created>();

  useEffect(() => {
    const first = FIELDS.find((field) => errors[field]);
    const element = first ? formRef.current?.elements.namedItem(first) : null;
    if (element instanceof HTMLElement) element.focus();
  }, [errors]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setCreated(undefined);
    // The schema the API applies, for instant feedback next to each field.
    const parsed = createHostSchema.safeParse(readForm(form, source));
    if (!parsed.success) {
      const found: Errors = {};
      for (const issue of parsed.error.issues) {
        const path = issue.path.join(".");
        const field = isField(path) ? path : "form";
        found[field] ??= issue.message;
      }
      setErrors(found);
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const host = await apiFetch<Created>("/hosts", { method: "POST", body: parsed.data });
      // Clears the pasted key and passphrase: nothing secret stays in the page.
      form.reset();
      setSource("generate");
      setCreated(host);
      router.refresh();
    } catch (failure) {
      const field = failure instanceof ApiRequestError ? failure.field : undefined;
      const shown = isField(field) && (source === "paste" || (field !== "privateKey" && field !== "passphrase"));
      setErrors({ [shown ? field : "form"]: errorMessage(failure) });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="add-host-heading" className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 sm:p-6 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id="add-host-heading" className="text-lg font-semibold">
        Add a host
      </h2>
      <p role="status" className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
        {created
          ? `Added ${created.name}. ${created.keyGenerated ? "Install its public key on the host (below), then" : "Next,"} press “Test connection” on its card.`
          : ""}
      </p>
      {created?.keyGenerated ? (
        <div className="rounded-md border border-brand-600 p-4 dark:border-brand-300">
          <h3 className="mb-2 font-semibold">Install the public key on {created.name}</h3>
          <PublicKeyInstructions publicKey={created.publicKey} username={created.username} />
        </div>
      ) : null}
      <form ref={formRef} method="post" onSubmit={submit} noValidate className="grid gap-4 sm:grid-cols-2">
        <TextField label="Name" name="name" autoComplete="off" required error={errors.name} />
        <HintedField
          label="Address"
          name="address"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          required
          error={errors.address}
          hint="A host name or IP address, as the bastion reaches it."
        />
        <TextField label="Port" name="port" inputMode="numeric" autoComplete="off" defaultValue="22" error={errors.port} />
        <TextField
          label="Username"
          name="username"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          required
          error={errors.username}
        />
        <div className="sm:col-span-2">
          <KeySourceFields source={source} onSourceChange={setSource} errors={errors} />
        </div>
        <div className="sm:col-span-2">
          <HintedField
            label="Expected host key fingerprint (optional)"
            name="hostKeyFingerprint"
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            error={errors.hostKeyFingerprint}
            hint={
              <>
                SHA256:…, as <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> prints it on the host.
                Leave empty to record it on first connection.
              </>
            }
          />
        </div>
        <p className="text-sm text-zinc-600 sm:col-span-2 dark:text-zinc-400">
          A new host allows every kind of tunnel, to any target and port, listening on loopback only and for up to 24 h; change
          that under “Policy” on its card.
        </p>
        <FormAlert className="sm:col-span-2">{errors.form}</FormAlert>
        <div className="sm:col-span-2 sm:max-w-xs">
          <SubmitButton pending={pending}>{pending ? "Adding…" : "Add host"}</SubmitButton>
        </div>
      </form>
    </section>
  );
}
