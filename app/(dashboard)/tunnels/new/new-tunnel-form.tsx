"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { tunnelDiagram } from "@/lib/tunnels/tunnel-diagram";
import type { TunnelKind } from "@/lib/validation/common";
import { TextInput, type Bound } from "./form-field";
import {
  allowedKinds,
  blankTtl,
  commandPreview,
  diagramInput,
  duplicateValues,
  fieldFor,
  fieldId,
  FIELDS,
  needsApproval,
  validate,
  type FieldErrors,
  type FieldName,
  type FormValues,
  type HostOption,
  type Requester,
  type AppsSetting,
  type DuplicateSource,
  schemeFor,
  webUrlPreview,
} from "./form-model";
import { HostPicker } from "./host-picker";
import { KindPicker, kindName, kindTitle } from "./kind-picker";
import { LimitFields } from "./limit-fields";
import { ListenFields } from "./listen-fields";
import { SshCommandPreview } from "./ssh-command-preview";
import { TeamPicker, type TeamOption } from "./team-picker";
import { ExposeNote, ProxyDestinations, RemoteTargetChoice, TargetFields } from "./target-fields";
import { TunnelDiagramView } from "./tunnel-diagram-view";
import { WebFields } from "./web-fields";

type Props = {
  hosts: HostOption[];
  listenAddresses: string[];
  listenPorts: { min: number; max: number };
  suggestedPort: number;
  canAddHosts: boolean;
  /** The address Warren sees for this user, which the server allows by default (except on the SSH host's loopback). */
  requester: Requester;
  /** The user's own teams, to share the tunnel with. */
  teams: TeamOption[];
  apps: AppsSetting;
  /** Duplicate: the tunnel whose spec fills the form (nothing is created until it is sent). */
  from: DuplicateSource | null;
};

function initialValues(props: Props): FormValues {
  const values = blankValues(props);
  if (!props.from) return values;
  return duplicateValues(values, props.from, { hostIds: props.hosts.map((host) => host.id), teamIds: props.teams.map((team) => team.id) });
}

function blankValues({ hosts, listenAddresses, suggestedPort }: Props): FormValues {
  // A host whose key changed would only fail, so it is not the default.
  const host = hosts.find((candidate) => candidate.hostKeyStatus !== "changed") ?? hosts[0];
  const kinds = allowedKinds(host);
  return {
    kind: kinds.includes("local") ? "local" : (kinds[0] ?? "local"),
    hostId: host?.id ?? "",
    bastionReach: "port",
    remoteTarget: "host",
    bastionAddress: listenAddresses[0] ?? "127.0.0.1",
    bastionPort: String(suggestedPort),
    hostAddress: "127.0.0.1",
    // Remote ports live on the SSH host, which Warren cannot ask; a port from Warren's own free range is a good guess there too.
    hostPort: String(suggestedPort),
    targetHost: "localhost",
    targetPort: "",
    ttlMinutes: String(blankTtl(host)),
    idleMinutes: "",
    allowedSources: "",
    teamId: "",
    name: "",
    reason: "",
    web: false,
    webScheme: "http",
    webHostHeader: "",
    webInsecureTls: false,
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
  // Said aloud when choosing a host changes the kind of tunnel.
  const [hostNotice, setHostNotice] = useState("");

  const host = props.hosts.find((candidate) => candidate.id === values.hostId);
  const hostName = host?.name ?? "the SSH host";
  const { listenAddresses, listenPorts, requester } = props;
  const validation = useMemo(
    () => validate(values, { listenAddresses, listenPorts }, host, requester),
    [values, listenAddresses, listenPorts, host, requester],
  );
  const diagram = useMemo(() => {
    return tunnelDiagram(diagramInput(values, host, requester, props.apps));
  }, [values, host, requester, props.apps]);
  const command = useMemo(() => commandPreview(values, host), [values, host]);

  const errorFor = (field: FieldName) => serverErrors[field] ?? (validation.ok || !(submitted || touched.has(field)) ? undefined : validation.errors[field]);

  function change(patch: Partial<FormValues>, field: FieldName) {
    setValues((current) => ({ ...current, ...patch }));
    // The server's word on a field stands until that field changes.
    setServerErrors((current) => ({ ...current, [field]: undefined }));
  }

  const bind = (
    key: Exclude<keyof FormValues, "kind" | "bastionReach" | "remoteTarget" | "web" | "webScheme" | "webInsecureTls">,
    field: FieldName,
  ): Bound => ({
    value: values[key],
    error: errorFor(field),
    onChange: (value) => change({ [key]: value }, field),
    onBlur: () => setTouched((current) => new Set(current).add(field)),
  });

  function changeKind(kind: TunnelKind) {
    setValues((current) => ({ ...current, kind }));
    setServerErrors({});
    setHostNotice("");
  }

  /** A host that does not allow the chosen kind switches to one it does, and says so. */
  function changeHost(hostId: string) {
    const next = props.hosts.find((candidate) => candidate.id === hostId);
    const kinds = allowedKinds(next);
    const kind = kinds.includes(values.kind) ? values.kind : (kinds[0] ?? values.kind);
    // An untouched TTL follows the host's default; one the user typed stays, and is checked.
    const ttlMinutes = values.ttlMinutes === String(blankTtl(host)) ? String(blankTtl(next)) : values.ttlMinutes;
    setValues((current) => ({ ...current, hostId, kind, ttlMinutes }));
    setServerErrors({});
    setHostNotice(
      next && kind !== values.kind ? `${next.name} does not allow ${kindName(values.kind)} tunnels, so “${kindTitle(kind)}” is chosen instead.` : "",
    );
    // Limits the new host sets on values already there show at once, not on the next blur.
    setTouched((current) => new Set(current).add("ttlMinutes").add("idleMinutes").add("listen.address"));
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
        setFormError(errorMessage(error));
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
  const approval = needsApproval(host, requester);
  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_minmax(0,24rem)] lg:items-start">
      <form method="post" noValidate onSubmit={submit} aria-label="New tunnel" className="space-y-6">
        <KindPicker value={values.kind} allowed={allowedKinds(host)} hostName={hostName} error={errorFor("kind")} onChange={changeKind} />
        <div className="space-y-1">
          <HostPicker hosts={props.hosts} value={values.hostId} error={errorFor("hostId")} canAddHosts={props.canAddHosts} onChange={changeHost} />
          <p role="status" className="text-sm font-medium text-amber-800 dark:text-amber-300">
            {hostNotice}
          </p>
        </div>
        <TextInput
          field="name"
          label="Name (optional)"
          bound={bind("name", "name")}
          hint="A short name to use instead of its id, e.g. warren connect payments-db: lower-case letters, digits and hyphens."
        />
        <ListenFields
          kind={values.kind}
          bastionReach={values.bastionReach}
          onReachChange={(bastionReach) => change({ bastionReach }, "listen.port")}
          hostName={hostName}
          address={remote ? bind("hostAddress", "listen.address") : bind("bastionAddress", "listen.address")}
          port={remote ? bind("hostPort", "listen.port") : bind("bastionPort", "listen.port")}
          reach={diagram.reach}
          listenAddresses={listenAddresses}
          listenPorts={listenPorts}
          publicBinds={host?.policy.publicBinds ?? true}
        />
        {remote ? <RemoteTargetChoice value={values.remoteTarget} onChange={(remoteTarget) => change({ remoteTarget }, "target.host")} /> : null}
        {values.kind === "dynamic" ? (
          <ProxyDestinations host={host} />
        ) : remote && values.remoteTarget === "client" ? (
          <ExposeNote hostName={hostName} />
        ) : (
          <TargetFields
            seenFrom={remote ? "the bastion" : hostName}
            host={bind("targetHost", "target.host")}
            port={bind("targetPort", "target.port")}
            policy={host ? { hostName: host.name, targets: host.policy.targets, ports: host.policy.ports } : undefined}
          />
        )}
        {values.kind === "local" ? (
          <WebFields
            apps={props.apps}
            on={values.web}
            scheme={values.webScheme}
            insecureTls={values.webInsecureTls}
            targetPort={values.targetPort}
            hostHeader={bind("webHostHeader", "web")}
            preview={webUrlPreview(values, props.apps)}
            error={errorFor("web")}
            // A web app needs no port on the bastion: it is reached at its own address.
            onToggle={(web) => change({ web, ...(web ? { bastionReach: "connect", webScheme: schemeFor(values.targetPort) } : {}) }, "web")}
            onScheme={(webScheme) => change({ webScheme }, "web")}
            onInsecureTls={(webInsecureTls) => change({ webInsecureTls }, "web")}
          />
        ) : null}
        <LimitFields
          listener={remote || values.bastionReach === "port"}
          remote={remote}
          where={remote ? hostName : "the bastion"}
          listenAddress={remote ? values.hostAddress : values.bastionAddress}
          host={host}
          requester={requester}
          ttl={bind("ttlMinutes", "ttlMinutes")}
          idle={bind("idleMinutes", "idleMinutes")}
          sources={bind("allowedSources", "allowedSources")}
        />
        <TeamPicker teams={props.teams} value={values.teamId} error={errorFor("teamId")} onChange={(teamId) => change({ teamId }, "teamId")} />
        <TextInput
          field="reason"
          label={approval ? "Why do you need it?" : "Why do you need it? (optional)"}
          bound={bind("reason", "reason")}
          hint={approval ? "Approvers read this beside your request." : "Kept with the request in the audit trail."}
        />
        {/* Said before sending, and announced when choosing a host makes it so. */}
        <p
          role="status"
          data-testid="approval-notice"
          className={
            approval
              ? "rounded-md border border-amber-700 bg-amber-50 p-3 text-sm font-medium text-amber-950 dark:border-amber-400 dark:bg-amber-950/40 dark:text-amber-100"
              : ""
          }
        >
          {approval ? `${hostName} needs approval: your request will wait for a team owner or an admin.` : ""}
        </p>
        <FormAlert className="rounded-md border border-red-700 bg-red-50 p-3 dark:border-red-400 dark:bg-red-950/40">{formError}</FormAlert>
        <SubmitButton pending={pending}>{pending ? "Sending…" : approval ? "Request tunnel" : "Open tunnel"}</SubmitButton>
      </form>
      <aside
        aria-labelledby="preview-heading"
        className="space-y-6 rounded-lg border border-zinc-200 bg-white p-4 lg:sticky lg:top-4 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <h2 id="preview-heading" className="text-sm font-semibold">
          Who listens where
        </h2>
        <TunnelDiagramView diagram={diagram} />
        <SshCommandPreview
          command={command}
          missing={
            !remote && values.bastionReach === "connect"
              ? "None: OpenSSH has no tunnel without a port. warren connect opens one on your laptop instead."
              : "Choose a host and fill in the ports to see the command."
          }
        />
      </aside>
    </div>
  );
}
