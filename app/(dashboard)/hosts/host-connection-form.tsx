"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { z } from "zod";
import { FormAlert } from "@/app/components/form-alert";
import { SaveRow } from "@/app/components/save-row";
import { VERBATIM } from "@/app/components/field";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import { updateHostSchema } from "@/lib/validation/hosts";
import type { HostView } from "./host-view";
import { KeySourceFields, type KeySource } from "./key-source-fields";
import { PublicKeyInstructions } from "./public-key-instructions";

// In the form's order, so the first one wrong is the one that gets focus.
const FIELDS = ["name", "address", "port", "username", "privateKey", "passphrase", "hostKeyFingerprint"] as const;

type Host = Pick<HostView, "id" | "name" | "address" | "port" | "username" | "hostKeyFingerprint">;
type Changes = z.input<typeof updateHostSchema>;

/** What differs from the saved host, as typed: only those fields are sent (and audited as changed). */
function changesOf(form: HTMLFormElement, source: KeySource, host: Host): Changes {
  const data = new FormData(form);
  const text = (key: string) => String(data.get(key) ?? "").trim();
  const changes: Changes = {};
  for (const field of ["name", "address", "username"] as const) if (text(field) !== host[field]) changes[field] = text(field);
  if (text("port") !== String(host.port)) changes.port = Number(text("port"));
  if (text("hostKeyFingerprint")) changes.hostKeyFingerprint = text("hostKeyFingerprint");
  // Key and passphrase are taken as typed: whitespace can matter in both.
  if (source === "generate") changes.generateKey = true;
  if (source === "paste") {
    changes.privateKey = String(data.get("privateKey") ?? "");
    changes.passphrase = String(data.get("passphrase") ?? "") || undefined;
  }
  return changes;
}

/** What saving did, in words: the key forgotten with the old address, the new key to install. */
function savedText(before: Host, saved: HostView, generated: boolean): string {
  const forgotten = before.hostKeyFingerprint && !saved.hostKeyFingerprint;
  return [
    `Saved ${saved.name}.`,
    forgotten ? "Its recorded host key went with the old address: the next connection records the new one." : "",
    generated ? "Install its new public key on the host (below)." : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** An admin's form for where and how Warren signs in to a host: name, address, port, user, key, and the host key to expect. */
export function HostConnectionForm({ host }: { host: Host }) {
  const router = useRouter();
  const { formRef, errors, pending, send } = useApiForm(FIELDS);
  const [source, setSource] = useState<KeySource>("keep");
  const [status, setStatus] = useState("");
  const [newKey, setNewKey] = useState<Pick<HostView, "publicKey" | "username">>();

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setStatus("");
    const changes = changesOf(form, source, host);
    if (Object.keys(changes).length === 0) {
      setStatus("Nothing to save: it is as shown.");
      return;
    }
    void send(updateHostSchema.safeParse(changes), async (body) => {
      const saved = await apiFetch<HostView>(`/hosts/${encodeURIComponent(host.id)}`, { method: "PATCH", body });
      // Clears a pasted key and passphrase, and the fingerprint now applied: nothing secret stays in the page.
      setSource("keep");
      const fingerprint = form.elements.namedItem("hostKeyFingerprint");
      if (fingerprint instanceof HTMLInputElement) fingerprint.value = "";
      setNewKey(body.generateKey ? saved : undefined);
      setStatus(savedText(host, saved, Boolean(body.generateKey)));
      router.refresh();
    });
  }

  return (
    <form ref={formRef} method="post" noValidate onSubmit={submit} aria-label={`Connection to ${host.name}`} className="grid gap-4 sm:grid-cols-2">
      <TextField label="Name" name="name" autoComplete="off" required defaultValue={host.name} error={errors.name} />
      <TextField label="Username" name="username" {...VERBATIM} required defaultValue={host.username} error={errors.username} />
      <TextField label="Address" name="address" {...VERBATIM} required defaultValue={host.address} error={errors.address} />
      <TextField label="Port" name="port" inputMode="numeric" autoComplete="off" defaultValue={String(host.port)} error={errors.port} />
      <p className="text-xs text-zinc-600 sm:col-span-2 dark:text-zinc-400">
        A new address or port forgets the recorded host key (it belonged to whatever answered at the old place), unless you give the fingerprint below. Open
        tunnels keep their current connection; the next one uses the new settings.
      </p>
      <div className="sm:col-span-2">
        <KeySourceFields canKeep source={source} onSourceChange={setSource} errors={errors} />
      </div>
      <div className="sm:col-span-2">
        <TextField
          label="Host key fingerprint (optional)"
          name="hostKeyFingerprint"
          {...VERBATIM}
          error={errors.hostKeyFingerprint}
          hint={
            <>
              Pins this key: SHA256:…, as <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> prints it on the host. Leave empty
              to keep the key Warren has.
            </>
          }
        />
      </div>
      <FormAlert className="sm:col-span-2">{errors.form}</FormAlert>
      <SaveRow pending={pending} label="Save connection" status={status} className="sm:col-span-2" />
      {newKey ? (
        <div className="rounded-md border border-brand-600 p-4 sm:col-span-2 dark:border-brand-300">
          <h4 className="mb-2 font-semibold">Install the new public key on {host.name}</h4>
          <PublicKeyInstructions publicKey={newKey.publicKey} username={newKey.username} />
        </div>
      ) : null}
    </form>
  );
}
