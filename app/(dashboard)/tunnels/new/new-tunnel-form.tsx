"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import { tunnelDiagram } from "@/lib/tunnels/tunnel-diagram";
import type { Bound } from "./form-field";
import {
  commandPreview,
  diagramInput,
  fieldFor,
  fieldId,
  FIELDS,
  validate,
  type FieldErrors,
  type FieldName,
  type FormValues,
  type HostOption,
  type TunnelKind,
} from "./form-model";
import { HostPicker } from "./host-picker";
import { KindPicker } from "./kind-picker";
import { LimitFields } from "./limit-fields";
import { ListenFields } from "./listen-fields";
import { SshCommandPreview } from "./ssh-command-preview";
import { TargetFields } from "./target-fields";
import { TunnelDiagramView } from "./tunnel-diagram-view";

type Props = {
  hosts: HostOption[];
  listenAddresses: string[];
  listenPorts: { min: number; max: number };
  suggestedPort: number;
  canAddHosts: boolean;
};

function initialValues({ hosts, listenAddresses, suggestedPort }: Props): FormValues {
  return {
    kind: "local",
    // A host whose key changed would only fail, so it is not the default.
    hostId: (hosts.find((host) => host.hostKeyStatus !== "changed") ?? hosts[0])?.id ?? "",
    bastionAddress: listenAddresses[0] ?? "127.0.0.1",
    bastionPort: String(suggestedPort),
    hostAddress: "127.0.0.1",
    hostPort: "8080",
    targetHost: "localhost",
    targetPort: "",
    ttlMinutes: "60",
    allowedSources: "",
  };
}

const focusField = (field: FieldName) => document.getElementById(fieldId(field))?.focus();

export function NewTunnelForm(props: Props) {
  const router = useRouter();
  const [values, setValues] = useState(() => initialValues(props));
  // Client errors show once a field is left or the form is sent, not while typing.
  const [touched, setTouched] = useState<ReadonlySet<FieldName>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const host = props.hosts.find((candidate) => candidate.id === values.hostId);
  const hostName = host?.name ?? "the SSH host";
  const { listenAddresses, listenPorts } = props;
  const validation = useMemo(() => validate(values, { listenAddresses, listenPorts }), [values, listenAddresses, listenPorts]);
  const diagram = useMemo(() => tunnelDiagram(diagramInput(values, host)), [values, host]);
  const command = useMemo(() => commandPreview(values, host), [values, host]);

  const errorFor = (field: FieldName) =>
    serverErrors[field] ?? (validation.ok || !(submitted || touched.has(field)) ? undefined : validation.errors[field]);

  function change(patch: Partial<FormValues>, field: FieldName) {
    setValues((current) => ({ ...current, ...patch }));
    // The server's word on a field stands until that field changes.
    setServerErrors((current) => ({ ...current, [field]: undefined }));
  }

  const bind = (key: Exclude<keyof FormValues, "kind">, field: FieldName): Bound => ({
    value: values[key],
    error: errorFor(field),
    onChange: (value) => change({ [key]: value }, field),
    onBlur: () => setTouched((current) => new Set(current).add(field)),
  });

  function changeKind(kind: TunnelKind) {
    setValues((current) => ({ ...current, kind }));
    setServerErrors({});
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Errors render before focus moves, so the field is announced with its error.
    flushSync(() => {
      setSubmitted(true);
      setFormError(validation.ok ? null : (validation.formError ?? null));
    });
    if (!validation.ok) {
      const first = FIELDS.find((field) => validation.errors[field]);
      if (first) focusField(first);
      return;
    }
    setPending(true);
    try {
      const tunnel = await apiFetch<{ id: string }>("/tunnels", { method: "POST", body: validation.data });
      // Stay pending: the detail page takes over and shows it turning active.
      router.push(`/tunnels/${tunnel.id}`);
    } catch (error) {
      setPending(false);
      if (!(error instanceof ApiRequestError)) {
        setFormError("Warren could not be reached; check your connection and try again.");
        return;
      }
      const field = error.field ? fieldFor(error.field) : undefined;
      if (!field) {
        setFormError(error.message);
        return;
      }
      flushSync(() => setServerErrors({ [field]: error.message }));
      focusField(field);
    }
  }

  const remote = values.kind === "remote";
  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_minmax(0,24rem)] lg:items-start">
      <form method="post" noValidate onSubmit={submit} aria-label="New tunnel" className="space-y-6">
        <KindPicker value={values.kind} error={errorFor("kind")} onChange={changeKind} />
        <HostPicker
          hosts={props.hosts}
          value={values.hostId}
          error={errorFor("hostId")}
          canAddHosts={props.canAddHosts}
          onChange={(hostId) => change({ hostId }, "hostId")}
        />
        <ListenFields
          kind={values.kind}
          hostName={hostName}
          address={remote ? bind("hostAddress", "listen.address") : bind("bastionAddress", "listen.address")}
          port={remote ? bind("hostPort", "listen.port") : bind("bastionPort", "listen.port")}
          reach={diagram.reach}
          listenAddresses={listenAddresses}
          listenPorts={listenPorts}
        />
        {values.kind === "dynamic" ? null : (
          <TargetFields seenFrom={remote ? "the bastion" : hostName} host={bind("targetHost", "target.host")} port={bind("targetPort", "target.port")} />
        )}
        <LimitFields where={remote ? hostName : "the bastion"} ttl={bind("ttlMinutes", "ttlMinutes")} sources={bind("allowedSources", "allowedSources")} />
        <FormAlert className="rounded-md border border-red-700 bg-red-50 p-3 dark:border-red-400 dark:bg-red-950/40">{formError}</FormAlert>
        <SubmitButton pending={pending}>{pending ? "Opening…" : "Open tunnel"}</SubmitButton>
      </form>
      <aside aria-labelledby="preview-heading" className="space-y-6 rounded-lg border border-zinc-200 bg-white p-4 lg:sticky lg:top-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id="preview-heading" className="text-sm font-semibold">
          Who listens where
        </h2>
        <TunnelDiagramView diagram={diagram} />
        <SshCommandPreview command={command} missing="Choose a host and fill in the ports to see the command." />
      </aside>
    </div>
  );
}
