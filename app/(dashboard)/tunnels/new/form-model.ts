// The New tunnel form's values as typed, and how they become the API's input.
// Validation uses the API's own schema, listen rules and host policy: instant
// feedback, never a substitute for the server's checks.
import { ApiError } from "@/lib/api/api-error";
import type { WarrenConfig } from "@/lib/config";
import { sshCommand } from "@/lib/tunnels/ssh-command";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import type { DiagramInput } from "@/lib/tunnels/tunnel-diagram";
import { applyHostPolicy } from "@/lib/tunnels/host-policy";
import { checkTunnelRules } from "@/lib/tunnels/tunnel-rules";
import { MAX_TTL_MINUTES, networkHostSchema, portSchema, TUNNEL_KINDS, type TunnelKind } from "@/lib/validation/common";
import type { HostPolicy } from "@/lib/validation/host-policy";
import { createTunnelSchema, type CreateTunnel } from "@/lib/validation/tunnels";

/** A host that holds requests for a team owner or an admin; admins' own requests open at once. */
export const needsApproval = (host: HostOption | undefined, requester: Requester) => Boolean(host?.policy.approval) && !requester.isAdmin;

/** What the form knows of a host: never its key. */
export type HostOption = { id: string; name: string; address: string; port: number; username: string; hostKeyStatus: string; policy: HostPolicy };
/** Who is asking, as the server will judge it: the address Warren sees (null if unknown) and whether they are an admin. */
export type Requester = { ip: string | null; isAdmin: boolean };

/** The kinds a host allows; with no host chosen, all of them. */
export const allowedKinds = (host: HostOption | undefined): readonly TunnelKind[] => host?.policy.kinds ?? TUNNEL_KINDS;

/** The longest TTL the chosen host allows. */
export const maxTtl = (host: HostOption | undefined) => host?.policy.maxTtlMinutes ?? MAX_TTL_MINUTES;
/** What an empty TTL field means: the host's default, capped at its maximum (60 minutes before a host is chosen). */
export const blankTtl = (host: HostOption | undefined) => Math.min(host?.policy.defaultTtlMinutes ?? 60, maxTtl(host));
/** The chosen host's idle limit, which is also the longest idle time a request may ask for; null when it has none. */
export const idleLimit = (host: HostOption | undefined) => host?.policy.idleMinutes ?? null;

export type FormValues = {
  kind: TunnelKind;
  hostId: string;
  /** Local and dynamic tunnels: "connect" opens no port on the bastion (used through warren connect only). */
  bastionReach: "connect" | "port";
  /** Remote tunnels: a host and port reached from the bastion, or the person's own computer (warren expose). */
  remoteTarget: "host" | "client";
  // Warren's listener on the bastion (local, dynamic) and the SSH host's
  // (remote) follow different rules, so each keeps its own values.
  bastionAddress: string;
  bastionPort: string;
  hostAddress: string;
  hostPort: string;
  targetHost: string;
  targetPort: string;
  ttlMinutes: string;
  /** "" for the host's idle limit, or none when it has none. */
  idleMinutes: string;
  allowedSources: string;
  /** The team to share it with; "" for none. */
  teamId: string;
  /** Optional; "" for none. */
  name: string;
  /** Why it is needed; required on a host that needs approval. */
  reason: string;
  /** Local tunnels: opened in the browser at an app host of its own. */
  web: boolean;
  webScheme: "http" | "https";
  /** "" for the target's own host and port. */
  webHostHeader: string;
  webInsecureTls: boolean;
};

/** Where web tunnels' apps are served: null when an admin has not turned them on. */
export type AppsSetting = { domain: string | null; publicUrl: string };

/** Ports that usually serve a web page: the form suggests opening such a target in the browser. */
const WEB_PORTS = new Set([80, 443, 3000, 4200, 5000, 5601, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090, 9443]);
export const looksLikeWeb = (port: string) => WEB_PORTS.has(Number(port.trim()));
/** The scheme a port most likely speaks. */
export const schemeFor = (port: string): "http" | "https" => (/443$/.test(port.trim()) ? "https" : "http");

/** The fields in the order they appear, which is the order errors are visited. */
export const FIELDS = [
  "kind",
  "hostId",
  "name",
  "listen.address",
  "listen.port",
  "target.host",
  "target.port",
  "ttlMinutes",
  "idleMinutes",
  "allowedSources",
  "teamId",
  "reason",
  "web",
] as const;
export type FieldName = (typeof FIELDS)[number];
export type FieldErrors = Partial<Record<FieldName, string>>;

/** The element id of a field, for labels and for moving focus to an error. */
export const fieldId = (field: FieldName) => field.replace(".", "-");

const toNumber = (raw: string) => (raw.trim() === "" ? undefined : Number(raw.trim()));
const splitSources = (raw: string) => raw.split(/[\s,]+/).filter(Boolean);

/** The new port as typed; null when a local or dynamic tunnel is to have none on the bastion. */
function listenOf(values: FormValues): { address: string; port: string } | null {
  if (values.kind === "remote") return { address: values.hostAddress, port: values.hostPort };
  return values.bastionReach === "connect" ? null : { address: values.bastionAddress, port: values.bastionPort };
}

/** Where each connection goes, as typed: none for a SOCKS proxy, the person's computer for a remote tunnel to it. */
const toClient = (values: FormValues) => values.kind === "remote" && values.remoteTarget === "client";
function targetOf(values: FormValues) {
  if (values.kind === "dynamic") return undefined;
  return toClient(values) ? { client: true as const } : { host: values.targetHost, port: toNumber(values.targetPort) };
}

const asWeb = (values: FormValues) => values.kind === "local" && values.web;

/** The app's address this form would give, as the server makes it. */
export function webUrlPreview(values: FormValues, apps: AppsSetting): string | null {
  if (!asWeb(values) || !apps.domain) return null;
  const url = new URL(apps.publicUrl);
  return `${url.protocol}//${values.name.trim() || "<id>"}.${apps.domain}${url.port ? `:${url.port}` : ""}/`;
}

/** The request body as typed. A blank TTL is the form's default (the host's
 *  default, within its maximum); a blank idle time and blank sources are left
 *  out so the server applies its defaults (the host's idle limit; the
 *  requester's own address, except on the SSH host's loopback). */
function toInput(values: FormValues, host?: HostOption) {
  const listen = listenOf(values);
  const sources = splitSources(values.allowedSources);
  return {
    kind: values.kind,
    hostId: values.hostId,
    name: values.name.trim() || undefined,
    listen: listen ? { address: listen.address, port: toNumber(listen.port) } : null,
    target: targetOf(values),
    ttlMinutes: toNumber(values.ttlMinutes) ?? blankTtl(host),
    idleMinutes: toNumber(values.idleMinutes),
    // With no port on the bastion there is no source to allow.
    allowedSources: listen && sources.length ? sources : undefined,
    teamId: values.teamId || null,
    reason: values.reason.trim() || undefined,
    web: asWeb(values)
      ? { scheme: values.webScheme, hostHeader: values.webHostHeader.trim() || undefined, insecureTls: values.webScheme === "https" && values.webInsecureTls }
      : null,
  };
}

/** The form field an API error path ("listen.port", "allowedSources.2", "target") belongs to. */
export function fieldFor(path: string): FieldName | undefined {
  if ((FIELDS as readonly string[]).includes(path)) return path as FieldName;
  if (path.startsWith("allowedSources")) return "allowedSources";
  if (path === "target") return "target.host";
  if (path === "listen") return "listen.port";
  if (path.startsWith("web")) return "web";
  return undefined;
}

/** `data` is what is sent: an absent list of sources means "the default"; an empty one would mean "anyone". */
export type Validation = { ok: true; data: CreateTunnel } | { ok: false; errors: FieldErrors; formError?: string };

export type ListenRules = Pick<WarrenConfig, "listenAddresses" | "listenPorts">;

export function validate(values: FormValues, rules: ListenRules, host: HostOption | undefined, requester: Requester): Validation {
  const input = toInput(values, host);
  const result = createTunnelSchema.safeParse(input);
  if (result.success) return checkRules(result.data, rules, host, requester);
  const errors: FieldErrors = {};
  let formError: string | undefined;
  for (const issue of result.error.issues) {
    const path = issue.path.join(".");
    const field = fieldFor(path);
    if (!field) {
      formError ??= `${path || "request"} ${issue.message}`;
      continue;
    }
    errors[field] ??= message(field, issue.path, issue.message, input);
  }
  return { ok: false, errors, formError };
}

/** The server's port range, metadata and host policy rules, which are pure and so can run here too. */
function checkRules(data: CreateTunnel, rules: ListenRules, host: HostOption | undefined, requester: Requester): Validation {
  try {
    checkTunnelRules(data, rules);
    if (host) applyHostPolicy(data, host.policy, host.name, requester);
    return { ok: true, data };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const field = error.field ? fieldFor(error.field) : undefined;
    return field ? { ok: false, errors: { [field]: error.message } } : { ok: false, errors: {}, formError: error.message };
  }
}

// The schema says "must be a number" of an empty port and names no bad range
// by its value; the form can say both more plainly.
function message(field: FieldName, path: PropertyKey[], text: string, input: ReturnType<typeof toInput>): string {
  if ((field === "listen.port" && input.listen?.port === undefined) || (field === "target.port" && input.target?.port === undefined)) {
    return "is required";
  }
  const index = path[1];
  if (field === "allowedSources" && typeof index === "number") return `${input.allowedSources?.[index]}: ${text}`;
  return text;
}

/** The diagram of the form as it stands, half-filled or not. */
export function diagramInput(values: FormValues, host: HostOption | undefined, requester: Requester, apps: AppsSetting): DiagramInput {
  const listen = listenOf(values);
  return {
    web: webUrlPreview(values, apps),
    kind: values.kind,
    hostName: host?.name,
    listen: listen && { address: listen.address, port: toNumber(listen.port) },
    target: targetOf(values) ?? null,
    sources: { listed: splitSources(values.allowedSources), requesterIp: requester.ip },
  };
}

/** The equivalent ssh command, or null until the host, addresses and ports are usable. */
export function commandPreview(values: FormValues, host: HostOption | undefined): string | null {
  const listen = listenOf(values);
  if (!listen) return null;
  const address = networkHostSchema.safeParse(listen.address);
  const port = portSchema.safeParse(toNumber(listen.port));
  if (!host || !address.success || !port.success) return null;
  if (values.kind === "dynamic") return sshCommand({ kind: "dynamic", listen: { address: address.data, port: port.data }, host });
  if (toClient(values)) return sshCommand({ kind: "remote", listen: { address: address.data, port: port.data }, target: { client: true }, host });
  const targetHost = networkHostSchema.safeParse(values.targetHost);
  const targetPort = portSchema.safeParse(toNumber(values.targetPort));
  if (!targetHost.success || !targetPort.success) return null;
  return sshCommand({ kind: values.kind, listen: { address: address.data, port: port.data }, target: { host: targetHost.data, port: targetPort.data }, host });
}

/** What Duplicate copies from a tunnel into the form. */
export type DuplicateSource = Pick<
  TunnelDto,
  "kind" | "hostId" | "name" | "listen" | "target" | "ttlMinutes" | "idleMinutes" | "allowedSources" | "teamId" | "web"
> & {
  /** Addresses teammates added by joining: theirs, not part of the spec. */
  joinedSources: string[];
};

/** The form filled from a tunnel's spec; its host and team only if the person may still use them. */
export function duplicateValues(base: FormValues, from: DuplicateSource, usable: { hostIds: string[]; teamIds: string[] }): FormValues {
  const { kind, listen, target } = from;
  const port = listen && { address: listen.address, port: String(listen.port) };
  const listenValues = port
    ? kind === "remote"
      ? { hostAddress: port.address, hostPort: port.port }
      : { bastionAddress: port.address, bastionPort: port.port }
    : {};
  return {
    ...base,
    ...(usable.hostIds.includes(from.hostId) ? { hostId: from.hostId } : {}),
    kind,
    name: from.name ?? "",
    bastionReach: kind !== "remote" && !listen ? "connect" : "port",
    remoteTarget: target && "client" in target ? "client" : "host",
    ...listenValues,
    ...(target && "host" in target ? { targetHost: target.host, targetPort: String(target.port) } : {}),
    ttlMinutes: String(from.ttlMinutes),
    idleMinutes: from.idleMinutes === null ? "" : String(from.idleMinutes),
    allowedSources: from.allowedSources.filter((range) => !from.joinedSources.includes(range)).join(" "),
    teamId: from.teamId && usable.teamIds.includes(from.teamId) ? from.teamId : "",
    web: from.web !== null,
    webScheme: from.web ? (from.web.scheme === "https" ? "https" : "http") : base.webScheme,
    webHostHeader: from.web?.hostHeader ?? "",
    webInsecureTls: from.web?.insecureTls ?? false,
  };
}
