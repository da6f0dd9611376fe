"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useState, type FormEvent } from "react";
import { controlClass, describedBy, Field, FieldMessages, VERBATIM } from "@/app/components/field";
import { FormAlert } from "@/app/components/form-alert";
import { SaveRow } from "@/app/components/save-row";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import { MAX_PER_USER, hostPolicySchema, type HostPolicy } from "@/lib/validation/host-policy";
import { MAX_TTL_MINUTES, type TunnelKind } from "@/lib/validation/common";
import { errorMessage } from "@/app/lib/error-message";
import type { HostView } from "./host-view";
import { KINDS, policySummary, ttlText } from "./policy-text";

type Host = Pick<HostView, "id" | "name" | "policy">;

/** "Policy: …", the host's policy in a line, as admins and team owners see it in the host's drawer. */
export function PolicySummary({ host, labelClass }: { host: Host; labelClass: string }) {
  return (
    <>
      <span className={labelClass}>Policy</span>
      <span className="sr-only">: </span>
      <span data-testid="policy-summary" className="ml-2 wrap-anywhere text-zinc-700 dark:text-zinc-300">
        {policySummary(host.policy)}
      </span>
    </>
  );
}

/** The drawer's "Policy" disclosure: the rules in one line, and the form to change them once opened. */
export function HostPolicySection({ host }: { host: Host }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="text-sm" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer rounded">
        <PolicySummary host={host} labelClass="font-medium text-brand-700 dark:text-brand-300" />
      </summary>
      {/* Mounted only while open: a closed disclosure adds no controls to the page, and reopening starts from the saved policy. */}
      {open ? <PolicyForm host={host} /> : null}
    </details>
  );
}

// In the form's order, so the first one wrong is the one that gets focus.
const FIELDS = [
  "kinds",
  "targets",
  "ports",
  "publicBinds",
  "anySource",
  "approval",
  "maxTtlMinutes",
  "defaultTtlMinutes",
  "idleMinutes",
  "maxOpenPerUser",
  "maxPendingPerUser",
] as const;
const TTL_FIELDS = ["maxTtlMinutes", "defaultTtlMinutes"] as const;
const LIMIT_FIELDS = ["maxOpenPerUser", "maxPendingPerUser"] as const;
const LIMIT_HINTS: Record<LimitField, [string, string]> = {
  maxOpenPerUser: [
    "Open tunnels per person",
    `How many tunnels one person may have open through this host at once: 1 to ${MAX_PER_USER}. Admins are not limited.`,
  ],
  maxPendingPerUser: ["Requests waiting per person", `How many requests one person may have waiting for approval on this host: 1 to ${MAX_PER_USER}.`],
};
const SWITCHES = [
  {
    field: "publicBinds",
    label: "Allow listening beyond loopback (public binds)",
    hint: "Otherwise tunnels must listen on loopback (127.0.0.1, ::1 or localhost), where only programs on that machine can connect.",
  },
  {
    field: "anySource",
    label: "Allow sources wider than the requester's own address",
    hint: "Otherwise a port beyond loopback admits only the address of the person who opened it; only admins may list wider ranges.",
  },
  {
    field: "approval",
    label: "Tunnels need approval",
    hint: "Requests and extensions wait until an owner of the requester's team or an admin approves them; admins' own requests do not wait.",
  },
] as const;
type TtlField = (typeof TTL_FIELDS)[number];
type LimitField = (typeof LIMIT_FIELDS)[number];
const NUMBER_FIELDS: readonly PolicyField[] = [...TTL_FIELDS, ...LIMIT_FIELDS];
type PolicyField = (typeof FIELDS)[number];
type Errors = Partial<Record<PolicyField | "form", string>>;

/** The policy as typed. */
type Draft = { kinds: TunnelKind[]; targets: string; ports: string; publicBinds: boolean; anySource: boolean; approval: boolean } & Record<
  TtlField | LimitField | "idleMinutes",
  string
>;
type PolicyInput = ReturnType<typeof toPolicy>;

const draftOf = (policy: HostPolicy): Draft => ({
  kinds: policy.kinds,
  targets: policy.targets.join("\n"),
  ports: policy.ports.join(", "),
  publicBinds: policy.publicBinds,
  anySource: policy.anySource,
  approval: policy.approval,
  maxTtlMinutes: String(policy.maxTtlMinutes),
  defaultTtlMinutes: String(policy.defaultTtlMinutes),
  idleMinutes: policy.idleMinutes ? String(policy.idleMinutes) : "",
  maxOpenPerUser: String(policy.maxOpenPerUser),
  maxPendingPerUser: String(policy.maxPendingPerUser),
});

const entries = (raw: string) => raw.split(/[\s,]+/).filter(Boolean);

const numberOf = (raw: string) => (raw.trim() === "" ? undefined : Number(raw.trim()));

function toPolicy(draft: Draft) {
  return {
    kinds: KINDS.map(({ kind }) => kind).filter((kind) => draft.kinds.includes(kind)),
    targets: entries(draft.targets),
    ports: entries(draft.ports),
    publicBinds: draft.publicBinds,
    anySource: draft.anySource,
    approval: draft.approval,
    maxTtlMinutes: numberOf(draft.maxTtlMinutes),
    defaultTtlMinutes: numberOf(draft.defaultTtlMinutes),
    // Empty: no idle limit.
    idleMinutes: numberOf(draft.idleMinutes) ?? null,
    maxOpenPerUser: numberOf(draft.maxOpenPerUser),
    maxPendingPerUser: numberOf(draft.maxPendingPerUser),
  };
}

/** The control an error path belongs to ("policy.targets.0", "ports.1", "maxTtlMinutes"), and the entry it names. */
function locate(path: string): { field: PolicyField; index?: number } | undefined {
  const [first, second] = path.replace(/^policy(\.|$)/, "").split(".");
  const field = FIELDS.find((known) => known === first);
  if (!field) return undefined;
  const index = second === undefined ? undefined : Number(second);
  return { field, index: Number.isInteger(index) ? index : undefined };
}

/** The message as shown beside its control: a list entry is named, a blank number is "required". */
function wording({ field, index }: { field: PolicyField; index?: number }, message: string, input: PolicyInput): string {
  if (NUMBER_FIELDS.includes(field) && input[field as TtlField | LimitField] === undefined) return "is required";
  const entry = index === undefined ? undefined : field === "targets" ? input.targets[index] : field === "ports" ? input.ports[index] : undefined;
  return entry === undefined ? message : `${entry}: ${message}`;
}

function PolicyForm({ host }: { host: Host }) {
  const router = useRouter();
  const base = useId();
  const id = (part: string) => `${base}-${part}`;
  const [draft, setDraft] = useState(() => draftOf(host.policy));
  const [errors, setErrors] = useState<Errors>({});
  const [status, setStatus] = useState("");
  const [pending, setPending] = useState(false);

  useEffect(() => {
    const first = FIELDS.find((field) => errors[field]);
    // The kinds have no one control: the first checkbox stands for the group.
    if (first) document.getElementById(`${base}-${first === "kinds" ? `kind-${KINDS[0]!.kind}` : first}`)?.focus();
  }, [errors, base]);

  function edit(patch: Partial<Draft>) {
    setDraft((current) => ({ ...current, ...patch }));
    setStatus("");
  }

  function toggleKind(kind: TunnelKind, on: boolean) {
    edit({ kinds: on ? [...draft.kinds, kind] : draft.kinds.filter((known) => known !== kind) });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    setStatus("");
    const input = toPolicy(draft);
    // The schema the API applies, for instant feedback next to each control.
    const parsed = hostPolicySchema.safeParse(input);
    if (!parsed.success) {
      const found: Errors = {};
      for (const issue of parsed.error.issues) {
        const where = locate(issue.path.join("."));
        if (where) found[where.field] ??= wording(where, issue.message, input);
        else found.form ??= issue.message;
      }
      setErrors(found);
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const saved = await apiFetch<{ policy: HostPolicy }>(`/hosts/${encodeURIComponent(host.id)}`, { method: "PATCH", body: { policy: parsed.data } });
      // The server's normalised copy: trimmed entries, kinds in order.
      setDraft(draftOf(saved.policy));
      setStatus(`Saved the policy of ${host.name}: ${policySummary(saved.policy)}.`);
      router.refresh();
    } catch (failure) {
      const where = failure instanceof ApiRequestError && failure.field ? locate(failure.field) : undefined;
      setErrors(where ? { [where.field]: wording(where, errorMessage(failure), input) } : { form: errorMessage(failure) });
    } finally {
      setPending(false);
    }
  }

  /** "That is 2 h." under a TTL field holding a valid number of minutes. */
  const reading = (field: TtlField) => {
    const ttl = numberOf(draft[field]);
    return ttl !== undefined && Number.isInteger(ttl) && ttl >= 1 && ttl <= MAX_TTL_MINUTES ? ` That is ${ttlText(ttl)}.` : "";
  };
  const ttlHints: Record<TtlField, [string, string]> = {
    maxTtlMinutes: ["Maximum TTL (minutes)", `How long a tunnel may stay open: 1 to ${MAX_TTL_MINUTES} (7 days).`],
    defaultTtlMinutes: ["Default TTL (minutes)", "For a request that names none; above the maximum, the maximum applies."],
  };
  const numberFields = [
    ...TTL_FIELDS.map((field) => ({ field, label: ttlHints[field][0], hint: `${ttlHints[field][1]}${reading(field)}`, max: MAX_TTL_MINUTES })),
    {
      field: "idleMinutes" as const,
      label: "Idle limit (minutes)",
      hint: "A tunnel with no connection and no traffic for this long closes; a request may ask for less. Empty: tunnels never close for being idle.",
      max: MAX_TTL_MINUTES,
    },
    ...LIMIT_FIELDS.map((field) => ({ field, label: LIMIT_HINTS[field][0], hint: LIMIT_HINTS[field][1], max: MAX_PER_USER })),
  ];

  return (
    <form method="post" noValidate onSubmit={submit} aria-label={`Policy of ${host.name}`} className="mt-3 grid gap-4 sm:grid-cols-2">
      <fieldset className="space-y-2 sm:col-span-2" aria-describedby={describedBy(id("kinds"), errors.kinds, true)}>
        <legend className="text-sm font-medium">Tunnel kinds allowed</legend>
        <div className="flex flex-wrap gap-x-6 gap-y-2">
          {KINDS.map(({ kind, label }) => (
            <Check key={kind} id={id(`kind-${kind}`)} label={label} checked={draft.kinds.includes(kind)} onChange={(on) => toggleKind(kind, on)} />
          ))}
        </div>
        <FieldMessages id={id("kinds")} error={errors.kinds} hint={`Which kinds of tunnel anyone may open through ${host.name}; at least one.`} />
      </fieldset>

      <Field
        id={id("targets")}
        label="Allowed targets"
        error={errors.targets}
        hint="One per line or separated by commas: CIDR ranges (10.0.0.0/8), addresses, host names or *.suffix patterns (*.internal). Each connection through a dynamic tunnel is checked too. Empty allows any target."
      >
        {(control) => (
          <textarea
            {...control}
            rows={4}
            value={draft.targets}
            onChange={(event) => edit({ targets: event.target.value })}
            {...VERBATIM}
            className={`${controlClass} font-mono`}
          />
        )}
      </Field>

      <div className="space-y-4">
        <Field
          id={id("ports")}
          label="Allowed ports"
          error={errors.ports}
          hint="Target ports or ranges, separated by commas: 5432, 8000-8999. Empty allows any port."
        >
          {(control) => (
            <input
              {...control}
              type="text"
              value={draft.ports}
              onChange={(event) => edit({ ports: event.target.value })}
              autoComplete="off"
              spellCheck={false}
              className={`${controlClass} font-mono`}
            />
          )}
        </Field>
        {numberFields.map(({ field, label, hint, max }) => (
          <Field key={field} id={id(field)} label={label} error={errors[field]} hint={hint}>
            {(control) => (
              <input
                {...control}
                type="number"
                inputMode="numeric"
                min={1}
                max={max}
                step={1}
                value={draft[field]}
                onChange={(event) => edit({ [field]: event.target.value })}
                autoComplete="off"
                className={controlClass}
              />
            )}
          </Field>
        ))}
      </div>

      <div className="space-y-3 sm:col-span-2">
        {SWITCHES.map(({ field, label, hint }) => (
          <Check key={field} id={id(field)} label={label} hint={hint} error={errors[field]} checked={draft[field]} onChange={(on) => edit({ [field]: on })} />
        ))}
      </div>

      <FormAlert className="sm:col-span-2">{errors.form}</FormAlert>
      <SaveRow pending={pending} label="Save policy" status={status} className="sm:col-span-2" />
    </form>
  );
}

/** A checkbox whose label sits beside it and is part of the click target. */
function Check({
  id,
  label,
  hint,
  error,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="flex items-start gap-2">
      <input
        type="checkbox"
        id={id}
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, Boolean(hint))}
        className="mt-0.5 size-4 shrink-0 accent-brand-600 dark:accent-brand-300"
      />
      <div className="min-w-0 space-y-0.5">
        <label htmlFor={id} className="block cursor-pointer text-sm font-medium">
          {label}
        </label>
        <FieldMessages id={id} error={error} hint={hint} />
      </div>
    </div>
  );
}
