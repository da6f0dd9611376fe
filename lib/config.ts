// Warren's configuration: read once from the environment, with safe defaults.
// Secrets that are not given are generated on first start into the data
// directory (mode 0600) and never printed. A bad setting throws ConfigError
// naming it; server/index.ts turns that into one line and a non-zero exit.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { syslogSchema, webhookSecretSchema, webhookUrlSchema } from "@/lib/validation/integrations";
import { nodeNameSchema } from "@/lib/validation/nodes";
import { slackWebhookUrlSchema } from "@/lib/validation/notifications";
import { processGlobals } from "@/lib/process-globals";
import { cidrSchema } from "@/lib/validation/common";

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super(`${setting}: ${reason}`);
    this.name = "ConfigError";
  }
}

export type PostgresqlConfig = { provider: "postgresql"; url: string };

/** SQLite in a file (the embedded default) or a PostgreSQL server, which several nodes can share. */
export type DatabaseConfig = { provider: "sqlite"; url: string; file: string } | PostgresqlConfig;

export type WarrenConfig = {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  authSecret: string;
  /** 32-byte key for AES-256-GCM encryption of stored SSH keys. */
  secretKey: Buffer;
  publicUrl: string;
  /** Where Warren-side listeners (local, dynamic) may bind on the bastion. */
  listenAddresses: string[];
  listenPorts: { min: number; max: number };
  /** Behind a reverse proxy: the header it sets with the client's address (trusted only then). */
  trustedProxyHeader: string | null;
  /** The reverse proxies' addresses or CIDR ranges: only a request from one of them may name its client in that header. */
  trustedProxies: string[];
  /** Audit records older than this are pruned behind a signed checkpoint; 0 keeps them forever. */
  auditRetentionDays: number;
  /** How often the whole audit chain is checked (and at start); 0: never. */
  auditVerifyHours: number;
  /** A request waiting for approval (a tunnel or an extension) expires unanswered after this long. */
  approvalTimeoutSeconds: number;
  /** Refused connections a source keeps making are summed up in one record per tunnel and source this often. */
  refusalSummarySeconds: number;
  /** Open tunnels and requests waiting for approval one user may have across all hosts; admins are not limited. */
  maxTunnelsPerUser: number;
  /** How long a device token (`warren login`) stays valid. */
  deviceTokenDays: number;
  /** Live `warren connect` connections one person may have at once, across their devices. */
  connectMaxPerUser: number;
  /** SSH connections Warren may open to one host, shared by its tunnels (server/tunnels/host-pool.ts). */
  sshConnectionsPerHost: number;
  /** Journal entries not yet in the database past which new connections are refused until half are in (backpressure). */
  journalBacklogLimit: number;
  /** Web tunnels' app hosts are `<slug>.<appsDomain>` (null: web tunnels are off). */
  appsDomain: string | null;
  /** Single sign-on through an OpenID Connect provider (null: off). */
  oidc: OidcConfig | null;
  /** Whether the sign-in page offers email and password (WARREN_PASSWORD_LOGIN=off hides it; the CLI still works). */
  passwordLogin: boolean;
  /** Who must set up a second factor (local accounts; single sign-on leaves it to the identity provider). */
  requireMfa: "off" | "admins" | "all";
  /** This Warren among the nodes sharing its database. */
  node: NodeConfig;
  /** Where Prometheus scrapes /metrics, on a listener of its own (null: off). */
  metricsAddress: { host: string; port: number } | null;
  /** Where every sealed audit record is streamed (docs/audit-streaming.md); each null when not set. */
  auditStreaming: AuditStreamingConfig;
  /** Where notifications go besides the dashboard (docs/notifications.md). */
  notifications: NotificationsConfig;
  production: boolean;
};

/** `smtp`: the mail server and sender (null: no email). `approversSlackUrl`:
 *  the approvers' shared Slack-compatible channel (null: none).
 *  `slackWebhookHosts`: the hosts a person's own webhook may point at, so
 *  a person cannot make Warren post into the bastion's own networks. */
export type NotificationsConfig = { smtp: { url: string; from: string } | null; approversSlackUrl: string | null; slackWebhookHosts: string[] };

/** `address`: where people reach this node's listeners; a tunnel listening on
 *  it moves to the same role on the node that takes it over. `url`: where the
 *  other nodes reach its HTTP server, to relay `warren connect` and web apps
 *  to the tunnels it carries. */
export type NodeConfig = { name: string; address: string; url: string };

export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The sign-in button's label: "Sign in with <name>". */
  name: string;
  /** The ID token claim that lists the person's groups. */
  groupsClaim: string;
  /** Members of any of these groups are admins; without any, roles are managed in Warren. */
  adminGroups: string[];
  /** Whether a first sign-in may take over a local account with the same verified email. */
  linkByEmail: boolean;
  scopes: string;
};

/** A webhook's URL and the key its bodies are signed with. */
export type AuditWebhookConfig = { url: string; secret: string };
/** A syslog collector taking RFC 5424 messages over TCP (RFC 6587 octet counting), in TLS or not. */
export type AuditSyslogConfig = { protocol: "tcp" | "tls"; host: string; port: number };
/** A JSONL file, rotated to `<path>.1` … `<path>.<keep>` when it reaches `maxBytes`. */
export type AuditFileConfig = { path: string; maxBytes: number; keep: number };
export type AuditStreamingConfig = { webhook: AuditWebhookConfig | null; syslog: AuditSyslogConfig | null; file: AuditFileConfig | null };

type Env = Record<string, string | undefined>;

const portSchema = z.coerce
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be between 1 and 65535" })
  .max(65535, { error: "must be between 1 and 65535" });
const hostSchema = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.:\-[\]]+$/, "must be a host name or IP address");
const urlSchema = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).transform((url) => url.replace(/\/+$/, ""));
const authSecretSchema = z.string().min(32, "must be at least 32 characters");
export const secretKeySchema = z
  .string()
  .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, "must be 32 bytes as 64 hex digits or base64")
  .transform((value) => Buffer.from(value, value.length === 64 ? "hex" : "base64"));

/** A comma-separated setting: its entries, trimmed, empty ones left out. */
const listSchema = z.string().transform((value) =>
  value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean),
);

const listenAddressesSchema = listSchema.pipe(
  z.array(z.union([z.ipv4(), z.ipv6()], { error: "must be a comma-separated list of IP addresses" })).min(1, { error: "must name at least one address" }),
);
const listenPortsSchema = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, { error: "must be a range like 20000-29999" })
  .transform((value) => {
    const [min, max] = value.split("-").map(Number) as [number, number];
    return { min, max };
  })
  .refine(({ min, max }) => min >= 1 && max <= 65535 && min <= max, { error: "must be a range within 1-65535, low to high" });

const proxyHeaderSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+$/, { error: "must be a header name, e.g. x-forwarded-for or x-real-ip" });

const metricsAddressSchema = z
  .string()
  .trim()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: "must be an address and port such as 127.0.0.1:9464" })
  .transform((value) => {
    const colon = value.lastIndexOf(":");
    return { host: value.slice(0, colon).replace(/^\[|\]$/g, ""), port: Number(value.slice(colon + 1)) };
  })
  .refine(({ port }) => port >= 1 && port <= 65535, { error: "must end in a port between 1 and 65535" });

const trustedProxiesSchema = listSchema.pipe(z.array(cidrSchema));

const approvalTimeoutSchema = z.coerce
  .number({ error: "must be a number of seconds" })
  .int({ error: "must be a whole number of seconds" })
  .min(1, { error: "must be at least 1 second" })
  .max(7 * 24 * 3600, { error: "must be at most 604800 seconds (7 days)" });

const perUserCeilingSchema = z.coerce
  .number({ error: "must be a number of tunnels" })
  .int({ error: "must be a whole number of tunnels" })
  .min(1, { error: "must be at least 1" });

const journalBacklogSchema = z.coerce
  .number({ error: "must be a number of journal entries" })
  .int({ error: "must be a whole number of journal entries" })
  .min(10, { error: "must be at least 10" });

const connectionsPerHostSchema = z.coerce
  .number({ error: "must be a number of connections" })
  .int({ error: "must be a whole number of connections" })
  .min(1, { error: "must be at least 1" })
  .max(16, { error: "must be at most 16" });

const connectCeilingSchema = z.coerce
  .number({ error: "must be a number of connections" })
  .int({ error: "must be a whole number of connections" })
  .min(1, { error: "must be at least 1" })
  .max(1_000_000, { error: "must be at most 1000000" });

const retentionSchema = z.coerce
  .number({ error: "must be a number of days" })
  .int({ error: "must be a whole number of days" })
  .min(0, { error: "must be 0 (keep forever) or more days" });

const verifyHoursSchema = z.coerce
  .number({ error: "must be a number of hours" })
  .int({ error: "must be a whole number of hours" })
  .min(0, { error: "must be 0 (never) or more hours" })
  .max(24 * 365, { error: "must be at most 8760 hours (a year)" });

const refusalSummarySchema = z.coerce
  .number({ error: "must be a number of seconds" })
  .int({ error: "must be a whole number of seconds" })
  .min(1, { error: "must be at least 1 second" })
  .max(3600, { error: "must be at most 3600 seconds (an hour)" });

const deviceTokenDaysSchema = z.coerce
  .number({ error: "must be a number of days" })
  .int({ error: "must be a whole number of days" })
  .min(1, { error: "must be at least 1 day" })
  .max(365, { error: "must be at most 365 days" });

const appsDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,200}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
    error: "must be a domain name such as apps.warren.example.com (no scheme, port or path)",
  });

const onOffSchema = z.enum(["on", "off"], { error: "must be on or off" }).transform((value) => value === "on");
// OpenID Connect issuers are https:// URLs; http:// is taken on loopback only, for a provider on the same machine.
const issuerSchema = urlSchema.refine((url) => url.startsWith("https://") || /^http:\/\/(127(\.\d{1,3}){3}|localhost|\[::1\])(:\d+)?(\/|$)/.test(url), {
  error: "must be an https:// URL (http:// only on loopback)",
});
const scopesSchema = z
  .string()
  .transform((value) => value.split(/\s+/).filter(Boolean).join(" "))
  .refine((scopes) => scopes.split(" ").includes("openid"), { error: "must include openid" });
const claimSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_:./-]{1,100}$/, { error: "must be a claim name such as groups" });

const fileMaxMbSchema = z.coerce
  .number({ error: "must be a number of megabytes" })
  .min(0.01, { error: "must be at least 0.01 (megabytes)" })
  .max(1_000_000, { error: "must be at most 1000000 (megabytes)" });
const fileKeepSchema = z.coerce
  .number({ error: "must be a number of files" })
  .int({ error: "must be a whole number of files" })
  .min(1, { error: "must be at least 1" })
  .max(100, { error: "must be at most 100" });

function parseSetting<T>(name: string, schema: z.ZodType<T>, value: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ConfigError(name, result.error.issues[0]?.message ?? "is malformed");
  return result.data;
}

function prepareDataDir(dir: string) {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new ConfigError("WARREN_DATA_DIR", `cannot create ${dir} (${(error as NodeJS.ErrnoException).code})`);
  }
}

/** The data directory's files that hold the secrets not given by the environment. */
export const GENERATED_SECRET_FILES = { WARREN_SECRET_KEY: "secret-key", AUTH_SECRET: "auth-secret" } as const;

/** Where a secret Warren generated is kept, or null when the environment gives it. */
export function generatedSecretPath(setting: keyof typeof GENERATED_SECRET_FILES, dataDir: string, env: Env = process.env): string | null {
  return env[setting] ? null : path.join(dataDir, GENERATED_SECRET_FILES[setting]);
}

/** Reads a generated secret from the data dir, creating it (0600) on first use. */
function generatedSecret(dataDir: string, file: string, make: () => string): string {
  const secretPath = path.join(dataDir, file);
  if (!existsSync(secretPath)) writeFileSync(secretPath, `${make()}\n`, { mode: 0o600, flag: "wx" });
  return readFileSync(secretPath, "utf8").trim();
}

/** Every name under the apps domain is an app host, so Warren's own host must not be one of them. */
function appsDomainFor(env: Env, publicUrl: string): string | null {
  if (!env.WARREN_APPS_DOMAIN?.trim()) return null;
  const domain = parseSetting("WARREN_APPS_DOMAIN", appsDomainSchema, env.WARREN_APPS_DOMAIN);
  const own = new URL(publicUrl).hostname;
  if (own === domain || own.endsWith(`.${domain}`)) {
    throw new ConfigError(
      "WARREN_APPS_DOMAIN",
      `must not contain Warren's own host (${own}, from WARREN_PUBLIC_URL): use a domain of its own, e.g. apps.${own}`,
    );
  }
  return domain;
}

/** The issuer, client id and secret come together; the rest have defaults. */
function oidcFor(env: Env): OidcConfig | null {
  const required = ["WARREN_OIDC_ISSUER", "WARREN_OIDC_CLIENT_ID", "WARREN_OIDC_CLIENT_SECRET"] as const;
  const given = required.filter((name) => env[name]?.trim());
  if (given.length === 0) return null;
  const missing = required.find((name) => !env[name]?.trim());
  if (missing) throw new ConfigError(missing, `is needed with ${given.join(" and ")}: single sign-on takes the issuer, client id and client secret`);
  return {
    issuer: parseSetting("WARREN_OIDC_ISSUER", issuerSchema, env.WARREN_OIDC_ISSUER!.trim()),
    clientId: env.WARREN_OIDC_CLIENT_ID!.trim(),
    clientSecret: env.WARREN_OIDC_CLIENT_SECRET!.trim(),
    name: env.WARREN_OIDC_NAME?.trim() || "single sign-on",
    groupsClaim: parseSetting("WARREN_OIDC_GROUPS_CLAIM", claimSchema, env.WARREN_OIDC_GROUPS_CLAIM ?? "groups"),
    adminGroups: parseSetting("WARREN_OIDC_ADMIN_GROUPS", listSchema, env.WARREN_OIDC_ADMIN_GROUPS ?? ""),
    linkByEmail: parseSetting("WARREN_OIDC_LINK_BY_EMAIL", onOffSchema, env.WARREN_OIDC_LINK_BY_EMAIL ?? "off"),
    scopes: parseSetting("WARREN_OIDC_SCOPES", scopesSchema, env.WARREN_OIDC_SCOPES?.trim() || "openid email profile"),
  };
}

/** Without password sign-in, the identity provider is the only way in from a browser. */
function passwordLoginFor(env: Env, oidc: OidcConfig | null): boolean {
  const on = parseSetting("WARREN_PASSWORD_LOGIN", onOffSchema, env.WARREN_PASSWORD_LOGIN ?? "on");
  if (!on && !oidc) throw new ConfigError("WARREN_PASSWORD_LOGIN", "off needs single sign-on (WARREN_OIDC_ISSUER and its client), or nobody could sign in");
  return on;
}

function resolveDatabase(env: Env, dataDir: string): DatabaseConfig {
  const url = env.DATABASE_URL?.trim() || `file:${path.join(dataDir, "warren.db")}`;
  if (url.startsWith("file:")) {
    if (url === "file:") throw new ConfigError("DATABASE_URL", "names no file");
    const file = path.resolve(url.slice("file:".length));
    return { provider: "sqlite", url: `file:${file}`, file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return postgresqlDatabase("DATABASE_URL", url);
  throw new ConfigError("DATABASE_URL", "must be file:<path> (SQLite) or postgresql://user:password@host:port/database");
}

/** A postgresql:// (or postgres://) URL that names a server; `setting` is what a
 *  ConfigError names (DATABASE_URL, or the CLI's `db copy --to`). */
export function postgresqlDatabase(setting: string, url: string): PostgresqlConfig {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError(setting, "must be a postgresql://user:password@host:port/database URL");
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || !(parsed.hostname || parsed.searchParams.get("host")))
    throw new ConfigError(setting, "is not a valid postgresql://user:password@host:port/database URL");
  return { provider: "postgresql", url };
}

/** Its name (the machine's, unless told) and the address its listeners are
 *  reached at: one of the listen addresses (the first that is not loopback, unless told). */
function nodeFor(env: Env, listenAddresses: string[], { host, port }: { host: string; port: number }): NodeConfig {
  const name = parseSetting("WARREN_NODE_NAME", nodeNameSchema, env.WARREN_NODE_NAME ?? os.hostname().split(".")[0] ?? "warren");
  const reachable = listenAddresses.find((address) => !/^(127\.|::1$|0\.0\.0\.0$|::$)/.test(address)) ?? listenAddresses[0]!;
  const address = env.WARREN_NODE_ADDRESS?.trim() || reachable;
  const wildcard = listenAddresses.some((listen) => listen === "0.0.0.0" || listen === "::");
  if (!wildcard && !listenAddresses.includes(address)) {
    throw new ConfigError(
      "WARREN_NODE_ADDRESS",
      `must be one of WARREN_LISTEN_ADDRESSES (${listenAddresses.join(", ")}), where this node's listeners may bind`,
    );
  }
  const httpHost = host === "0.0.0.0" || host === "::" ? address : host;
  const defaultUrl = `http://${httpHost.includes(":") ? `[${httpHost}]` : httpHost}:${port}`;
  const url = parseSetting("WARREN_NODE_URL", urlSchema, env.WARREN_NODE_URL?.trim() || defaultUrl);
  return { name, address, url };
}

/** Several nodes share one PostgreSQL database, and each must read what the
 *  others sealed and encrypted: the keys come from the environment, the same
 *  on every node, never from one node's data directory. */
function requireSharedSecrets(env: Env, database: DatabaseConfig) {
  if (database.provider !== "postgresql") return;
  for (const setting of ["WARREN_SECRET_KEY", "AUTH_SECRET"] as const) {
    if (!env[setting]?.trim()) {
      throw new ConfigError(
        setting,
        "must be set with a PostgreSQL DATABASE_URL, to the same value on every node (a key generated in the data directory is one node's alone)",
      );
    }
  }
}

/** The proxy header and the proxies it is taken from come together: a header
 *  trusted from anyone lets every client choose its own address. */
function trustedProxiesFor(env: Env, header: string | null): string[] {
  const proxies = env.WARREN_TRUSTED_PROXIES?.trim() ? parseSetting("WARREN_TRUSTED_PROXIES", trustedProxiesSchema, env.WARREN_TRUSTED_PROXIES) : [];
  if (header && proxies.length === 0) {
    throw new ConfigError("WARREN_TRUSTED_PROXY_HEADER", "needs WARREN_TRUSTED_PROXIES, the addresses of the reverse proxies allowed to set it");
  }
  if (!header && proxies.length > 0) {
    throw new ConfigError("WARREN_TRUSTED_PROXIES", "needs WARREN_TRUSTED_PROXY_HEADER, the header those proxies set with the client's address");
  }
  return proxies;
}

/** The audit sinks set in the environment: a webhook needs its secret, a file a directory that exists. */
function auditStreamingFor(env: Env): AuditStreamingConfig {
  const url = env.WARREN_AUDIT_WEBHOOK_URL?.trim();
  const secret = env.WARREN_AUDIT_WEBHOOK_SECRET?.trim();
  if (!url && secret) throw new ConfigError("WARREN_AUDIT_WEBHOOK_SECRET", "is set without WARREN_AUDIT_WEBHOOK_URL, the webhook it signs for");
  if (url && !secret)
    throw new ConfigError("WARREN_AUDIT_WEBHOOK_SECRET", "is needed with WARREN_AUDIT_WEBHOOK_URL: every body is signed with it (X-Warren-Signature)");
  const webhook =
    url && secret
      ? {
          url: parseSetting("WARREN_AUDIT_WEBHOOK_URL", webhookUrlSchema, url),
          secret: parseSetting("WARREN_AUDIT_WEBHOOK_SECRET", webhookSecretSchema, secret),
        }
      : null;
  const syslog = env.WARREN_AUDIT_SYSLOG?.trim() ? parseSetting("WARREN_AUDIT_SYSLOG", syslogSchema, env.WARREN_AUDIT_SYSLOG) : null;
  return { webhook, syslog, file: auditFileFor(env) };
}

const smtpUrlSchema = z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.com:587" });
// An address, or a name and an address: "Warren <warren@example.com>".
const mailFromSchema = z.string().regex(/^([^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, {
  error: "must be an email address, or a name and an address like Warren <warren@example.com>",
});

function notificationsFor(env: Env): NotificationsConfig {
  const url = env.WARREN_SMTP_URL?.trim();
  const from = env.WARREN_SMTP_FROM?.trim();
  if (url && !from) throw new ConfigError("WARREN_SMTP_FROM", "is needed with WARREN_SMTP_URL: it is the sender of Warren's email");
  if (from && !url) throw new ConfigError("WARREN_SMTP_FROM", "is set without WARREN_SMTP_URL, the mail server that sends it");
  const slack = env.WARREN_SLACK_WEBHOOK_URL?.trim();
  return {
    smtp: url && from ? { url: parseSetting("WARREN_SMTP_URL", smtpUrlSchema, url), from: parseSetting("WARREN_SMTP_FROM", mailFromSchema, from) } : null,
    approversSlackUrl: slack ? parseSetting("WARREN_SLACK_WEBHOOK_URL", slackWebhookUrlSchema, slack) : null,
    slackWebhookHosts: parseSetting(
      "WARREN_SLACK_WEBHOOK_HOSTS",
      listSchema.pipe(
        z.array(
          z
            .string()
            .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: "must list host names" })
            .transform((host) => host.toLowerCase()),
        ),
      ),
      env.WARREN_SLACK_WEBHOOK_HOSTS ?? "hooks.slack.com",
    ),
  };
}

function auditFileFor(env: Env): AuditFileConfig | null {
  const given = env.WARREN_AUDIT_FILE?.trim();
  for (const setting of ["WARREN_AUDIT_FILE_MAX_MB", "WARREN_AUDIT_FILE_KEEP"] as const) {
    if (!given && env[setting]?.trim()) throw new ConfigError(setting, "is set without WARREN_AUDIT_FILE, the file it rotates");
  }
  if (!given) return null;
  // turbopackIgnore: the file is chosen at run time, not part of the build.
  const file = path.resolve(/* turbopackIgnore: true */ given);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new ConfigError("WARREN_AUDIT_FILE", `${file} is a directory: name the file to write, e.g. ${path.join(file, "audit.jsonl")}`);
  if (!existsSync(path.dirname(file))) throw new ConfigError("WARREN_AUDIT_FILE", `the directory ${path.dirname(file)} does not exist`);
  const maxMb = parseSetting("WARREN_AUDIT_FILE_MAX_MB", fileMaxMbSchema, env.WARREN_AUDIT_FILE_MAX_MB?.trim() || "100");
  return {
    path: file,
    maxBytes: Math.round(maxMb * 1024 * 1024),
    keep: parseSetting("WARREN_AUDIT_FILE_KEEP", fileKeepSchema, env.WARREN_AUDIT_FILE_KEEP?.trim() || "5"),
  };
}

/** The data directory (created if missing) and the database, without reading
 *  or generating any secret: what `restore` needs before the data exists. */
export function dataLocation(env: Env = process.env): Pick<WarrenConfig, "dataDir" | "database"> {
  // turbopackIgnore: the data dir is chosen at run time, not part of the build.
  const dataDir = path.resolve(/* turbopackIgnore: true */ env.WARREN_DATA_DIR?.trim() || "./data");
  prepareDataDir(dataDir);
  return { dataDir, database: resolveDatabase(env, dataDir) };
}

export function loadConfig(env: Env = process.env): WarrenConfig {
  const port = parseSetting("PORT", portSchema, env.PORT ?? "3000");
  const host = parseSetting("HOST", hostSchema, env.HOST ?? "127.0.0.1");
  const { dataDir, database } = dataLocation(env);
  requireSharedSecrets(env, database);
  const authSecret = parseSetting(
    "AUTH_SECRET",
    authSecretSchema,
    env.AUTH_SECRET ?? generatedSecret(dataDir, GENERATED_SECRET_FILES.AUTH_SECRET, () => randomBytes(32).toString("base64url")),
  );
  const secretKey = parseSetting(
    "WARREN_SECRET_KEY",
    secretKeySchema,
    env.WARREN_SECRET_KEY ?? generatedSecret(dataDir, GENERATED_SECRET_FILES.WARREN_SECRET_KEY, () => randomBytes(32).toString("hex")),
  );
  const publicUrl = parseSetting("WARREN_PUBLIC_URL", urlSchema, env.WARREN_PUBLIC_URL ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`);
  const listenAddresses = parseSetting("WARREN_LISTEN_ADDRESSES", listenAddressesSchema, env.WARREN_LISTEN_ADDRESSES ?? "127.0.0.1");
  const listenPorts = parseSetting("WARREN_LISTEN_PORTS", listenPortsSchema, env.WARREN_LISTEN_PORTS ?? "20000-29999");
  const auditRetentionDays = parseSetting("WARREN_AUDIT_RETENTION_DAYS", retentionSchema, env.WARREN_AUDIT_RETENTION_DAYS ?? "0");
  const auditVerifyHours = parseSetting("WARREN_AUDIT_VERIFY_HOURS", verifyHoursSchema, env.WARREN_AUDIT_VERIFY_HOURS ?? "24");
  const approvalTimeoutSeconds = parseSetting("WARREN_APPROVAL_TIMEOUT_SECONDS", approvalTimeoutSchema, env.WARREN_APPROVAL_TIMEOUT_SECONDS ?? "3600");
  const refusalSummarySeconds = parseSetting("WARREN_REFUSAL_SUMMARY_SECONDS", refusalSummarySchema, env.WARREN_REFUSAL_SUMMARY_SECONDS ?? "60");
  const maxTunnelsPerUser = parseSetting("WARREN_MAX_TUNNELS_PER_USER", perUserCeilingSchema, env.WARREN_MAX_TUNNELS_PER_USER ?? "50");
  const deviceTokenDays = parseSetting("WARREN_DEVICE_TOKEN_DAYS", deviceTokenDaysSchema, env.WARREN_DEVICE_TOKEN_DAYS ?? "30");
  const connectMaxPerUser = parseSetting("WARREN_CONNECT_MAX_PER_USER", connectCeilingSchema, env.WARREN_CONNECT_MAX_PER_USER ?? "2000");
  const sshConnectionsPerHost = parseSetting("WARREN_SSH_CONNECTIONS_PER_HOST", connectionsPerHostSchema, env.WARREN_SSH_CONNECTIONS_PER_HOST ?? "4");
  const journalBacklogLimit = parseSetting("WARREN_JOURNAL_BACKLOG_LIMIT", journalBacklogSchema, env.WARREN_JOURNAL_BACKLOG_LIMIT ?? "200000");
  const trustedProxyHeader = env.WARREN_TRUSTED_PROXY_HEADER
    ? parseSetting("WARREN_TRUSTED_PROXY_HEADER", proxyHeaderSchema, env.WARREN_TRUSTED_PROXY_HEADER)
    : null;
  const trustedProxies = trustedProxiesFor(env, trustedProxyHeader);
  const oidc = oidcFor(env);
  return {
    oidc,
    passwordLogin: passwordLoginFor(env, oidc),
    requireMfa: parseSetting("WARREN_REQUIRE_MFA", z.enum(["off", "admins", "all"], { error: "must be off, admins or all" }), env.WARREN_REQUIRE_MFA ?? "off"),
    port,
    host,
    trustedProxyHeader,
    trustedProxies,
    auditRetentionDays,
    auditVerifyHours,
    approvalTimeoutSeconds,
    refusalSummarySeconds,
    maxTunnelsPerUser,
    deviceTokenDays,
    connectMaxPerUser,
    sshConnectionsPerHost,
    journalBacklogLimit,
    appsDomain: appsDomainFor(env, publicUrl),
    listenAddresses,
    listenPorts,
    dataDir,
    database,
    node: nodeFor(env, listenAddresses, { host, port }),
    metricsAddress: env.WARREN_METRICS_ADDRESS?.trim() ? parseSetting("WARREN_METRICS_ADDRESS", metricsAddressSchema, env.WARREN_METRICS_ADDRESS) : null,
    auditStreaming: auditStreamingFor(env),
    notifications: notificationsFor(env),
    authSecret,
    secretKey,
    publicUrl,
    production: env.NODE_ENV === "production",
  };
}

/** The process-wide configuration, shared by server/ and Next's bundle through globalThis. */
export function getConfig(): WarrenConfig {
  processGlobals.warrenConfig ??= loadConfig();
  return processGlobals.warrenConfig;
}
