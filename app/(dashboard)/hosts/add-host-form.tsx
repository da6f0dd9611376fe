"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { VERBATIM } from "@/app/components/field";
import { TextField } from "@/app/components/text-field";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import type { z } from "zod";
import { createHostSchema } from "@/lib/validation/hosts";
import { errorMessage } from "@/app/lib/error-message";
import { issueErrors, useFocusFirstError, type FieldErrors } from "@/app/lib/field-errors";
import { AssignmentFields, type Assignment, type TeamOption } from "./assignment-fields";
import type { HostView } from "./host-view";
import { KeySourceFields, type KeySource } from "./key-source-fields";
import { PublicKeyInstructions } from "./public-key-instructions";

// In the form's order, so the first one wrong is the one that gets focus.
const FIELDS = ["name", "address", "port", "username", "privateKey", "passphrase", "hostKeyFingerprint", "teamIds"] as const;
type Field = (typeof FIELDS)[number];
type Errors = FieldErrors<Field>;
type Created = Pick<HostView, "name" | "username" | "publicKey" | "keyGenerated">;

function isField(field: string | undefined): field is Field {
  return FIELDS.some((known) => known === field);
}

function readForm(form: HTMLFormElement, source: KeySource): z.input<typeof createHostSchema> {
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

/** Admins add hosts for everyone or for chosen teams; team owners for their own teams. */
const initialAssignment = (teams: TeamOption[], canAssignAll: boolean): Assignment =>
  canAssignAll ? { visibleToAll: true, teamIds: [] } : { visibleToAll: false, teamIds: teams.length === 1 ? [teams[0]!.id] : [] };

type Props = {
  teams: TeamOption[];
  canAssignAll: boolean;
  /** Hears each host added; a generated key's instructions stay in the form until the next one. */
  onAdded: (host: Created) => void;
};

/** The form that adds a host (in the page's drawer): where it is, how Warren signs in, the host key to expect, who may use it. */
export function AddHostForm({ teams, canAssignAll, onAdded }: Props) {
  const router = useRouter();
  const [assignment, setAssignment] = useState(() => initialAssignment(teams, canAssignAll));
  const formRef = useRef<HTMLFormElement>(null);
  const [source, setSource] = useState<KeySource>("generate");
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<Created>();

  useFocusFirstError(formRef, FIELDS, errors);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setCreated(undefined);
    // The schema the API applies, for instant feedback next to each field.
    const parsed = createHostSchema.safeParse({ ...readForm(form, source), ...assignment });
    if (!parsed.success) {
      setErrors(issueErrors(parsed.error.issues, FIELDS));
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const host = await apiFetch<Created>("/hosts", { method: "POST", body: parsed.data });
      // Clears the pasted key and passphrase: nothing secret stays in the page.
      form.reset();
      setSource("generate");
      setAssignment(initialAssignment(teams, canAssignAll));
      setCreated(host);
      onAdded(host);
      router.refresh();
    } catch (failure) {
      const raw = failure instanceof ApiRequestError ? failure.field : undefined;
      // "visibleToAll" is about the same choice as the teams.
      const field = raw === "visibleToAll" ? "teamIds" : raw;
      const shown = isField(field) && (source === "paste" || (field !== "privateKey" && field !== "passphrase"));
      setErrors({ [shown ? field : "form"]: errorMessage(failure) });
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-4">
      <p role="status" className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
        {created
          ? `Added ${created.name}. ${created.keyGenerated ? "Install its public key on the host (below), then" : "Next,"} press “Test” in its row.`
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
        <TextField label="Address" name="address" {...VERBATIM} required error={errors.address} hint="A host name or IP address, as the bastion reaches it." />
        <TextField label="Port" name="port" inputMode="numeric" autoComplete="off" defaultValue="22" error={errors.port} />
        <TextField label="Username" name="username" {...VERBATIM} required error={errors.username} />
        <div className="sm:col-span-2">
          <KeySourceFields source={source} onSourceChange={setSource} errors={errors} />
        </div>
        <div className="sm:col-span-2">
          <TextField
            label="Expected host key fingerprint (optional)"
            name="hostKeyFingerprint"
            {...VERBATIM}
            error={errors.hostKeyFingerprint}
            hint={
              <>
                SHA256:…, as <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> prints it on the host. Leave empty to record it
                on first connection.
              </>
            }
          />
        </div>
        <div className="sm:col-span-2">
          <AssignmentFields teams={teams} canAssignAll={canAssignAll} value={assignment} error={errors.teamIds} onChange={setAssignment} />
        </div>
        <p className="text-sm text-zinc-600 sm:col-span-2 dark:text-zinc-400">
          A new host allows every kind of tunnel, to any target and port, listening on loopback only and for up to 24 h; change that under “Policy” in its
          drawer (Edit).
        </p>
        <FormAlert className="sm:col-span-2">{errors.form}</FormAlert>
        <div className="sm:col-span-2 sm:max-w-xs">
          <SubmitButton pending={pending}>{pending ? "Adding…" : "Add host"}</SubmitButton>
        </div>
      </form>
    </div>
  );
}
