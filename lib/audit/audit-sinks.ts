// The audit sinks Warren streams to: those set in the environment (the
// webhook, syslog and the JSONL file) and those admins add on the
// Integrations page (webhooks and syslog collectors, their settings sealed at
// rest), with how far each is: what the page and GET /api/v1/integrations
// show. server/audit/audit-streaming.ts delivers.
import { ApiError } from "@/lib/api/api-error";
import { audited } from "@/lib/audit/audit-log";
import { webhookTarget } from "@/lib/audit/audit-stream-format";
import { requireAdmin } from "@/lib/auth/require-admin";
import type { AuditFileConfig, AuditStreamingConfig, AuditSyslogConfig, AuditWebhookConfig } from "@/lib/config";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { open, seal } from "@/lib/crypto/secret-box";
import { getPrisma } from "@/lib/db/prisma";
import type { CreateAuditSinkInput } from "@/lib/validation/integrations";
import { log } from "@/lib/log";

export type AuditSinkKind = "webhook" | "syslog" | "file";

/** A sink with its settings (secrets included: never answered or logged); `target` says where it goes without them.
 *  `since`: when an admin added it (its row's createdAt): one removed and added again under its name is another sink. */
export type ConfiguredSink = { name: string; source: "environment" | "admin"; target: string; since?: Date } & (
  | { kind: "webhook"; settings: AuditWebhookConfig }
  | { kind: "syslog"; settings: AuditSyslogConfig }
  | { kind: "file"; settings: AuditFileConfig }
);

export const SEALED_PURPOSE = "audit-sink";

const syslogTarget = ({ protocol, host, port }: AuditSyslogConfig) => `${protocol}://${host.includes(":") ? `[${host}]` : host}:${port}`;

export function configuredSinks(config: AuditStreamingConfig): ConfiguredSink[] {
  const sinks: ConfiguredSink[] = [];
  const source = "environment";
  if (config.webhook) sinks.push({ name: "webhook", source, kind: "webhook", target: webhookTarget(config.webhook.url), settings: config.webhook });
  if (config.syslog) sinks.push({ name: "syslog", source, kind: "syslog", target: syslogTarget(config.syslog), settings: config.syslog });
  if (config.file) sinks.push({ name: "file", source, kind: "file", target: config.file.path, settings: config.file });
  return sinks;
}

/** The sinks admins added, their settings unsealed; one that does not unseal (another WARREN_SECRET_KEY) is left out, and said. */
export async function adminSinks(): Promise<ConfiguredSink[]> {
  const rows = await getPrisma().auditSink.findMany({ where: { source: "admin" }, orderBy: { createdAt: "asc" } });
  return rows.flatMap((row): ConfiguredSink[] => {
    const base = { name: row.name, source: "admin" as const, target: row.target, since: row.createdAt };
    try {
      const settings = JSON.parse(open(row.configEnc ?? "", SEALED_PURPOSE));
      if (row.kind === "webhook") return [{ ...base, kind: "webhook", settings }];
      if (row.kind === "syslog") return [{ ...base, kind: "syslog", settings }];
    } catch {
      log().error(`audit sink ${row.name}: its settings do not unseal with this WARREN_SECRET_KEY; it is not delivered to`);
    }
    return [];
  });
}

/** An admin adds a webhook or a syslog collector; it starts from the first record still in the database. */
export async function createAuditSink({ ctx, input }: { ctx: Ctx; input: CreateAuditSinkInput }) {
  requireAdmin(ctx, "add audit sinks");
  const { name, kind } = input;
  const settings: AuditWebhookConfig | AuditSyslogConfig = input.kind === "webhook" ? { url: input.url, secret: input.secret } : input.target;
  const target = input.kind === "webhook" ? webhookTarget(input.url) : syslogTarget(input.target);
  await audited(ctx, async (tx) => {
    if (await tx.auditSink.findUnique({ where: { name }, select: { name: true } })) {
      throw new ApiError({ code: "conflict", field: "name", message: `name: an audit sink named ${name} exists` });
    }
    await tx.auditSink.create({ data: { name, kind, source: "admin", target, configEnc: seal(JSON.stringify(settings), SEALED_PURPOSE) } });
    return { result: undefined, audit: { action: "integration.created", subjectId: name, details: { name, kind, target } } };
  });
  return (await auditSinkStates()).find((sink) => sink.name === name)!;
}

/** An admin removes a sink they (or another admin) added; those set in the environment go with their setting. */
export async function deleteAuditSink({ ctx, name }: { ctx: Ctx; name: string }) {
  requireAdmin(ctx, "remove audit sinks");
  await audited(ctx, async (tx) => {
    const row = await tx.auditSink.findUnique({ where: { name }, select: { source: true, kind: true, target: true } });
    const configured = configuredSinks(getConfig().auditStreaming).some((sink) => sink.name === name);
    if (!row && !configured) throw new ApiError({ code: "not_found", message: `no audit sink is named ${name}` });
    if (configured || row?.source !== "admin") {
      throw new ApiError({ code: "conflict", message: `${name} is set in the environment (WARREN_AUDIT_*): remove it there` });
    }
    await tx.auditSink.delete({ where: { name } });
    return { result: undefined, audit: { action: "integration.deleted", subjectId: name, details: { name, kind: row.kind, target: row.target } } };
  });
}

/** The newest record's seq (the checkpoint's when retention left none, 0 on an empty trail). */
export async function auditHeadSeq(): Promise<number> {
  const prisma = getPrisma();
  const last = await prisma.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } });
  if (last) return last.seq;
  return (await prisma.auditCheckpoint.findUnique({ where: { id: 1 }, select: { seq: true } }))?.seq ?? 0;
}

/** Each sink with its delivery state; `backlog`: records sealed and not yet acknowledged. */
export async function listAuditSinks({ ctx }: { ctx: Ctx }) {
  requireAdmin(ctx, "see the audit sinks");
  return auditSinkStates();
}

/** The sinks for the Integrations page (the page checks who may see them): never their settings. */
export async function auditSinkStates() {
  const environment = configuredSinks(getConfig().auditStreaming);
  const [rows, headSeq] = await Promise.all([getPrisma().auditSink.findMany({ orderBy: { createdAt: "asc" } }), auditHeadSeq()]);
  const sinks = [
    ...environment.map(({ name, kind, source, target }) => ({ name, kind, source, target })),
    ...rows
      .filter((row) => row.source === "admin")
      .map((row) => ({ name: row.name, kind: row.kind as AuditSinkKind, source: "admin" as const, target: row.target })),
  ];
  return sinks.map((sink) => {
    const row = rows.find((candidate) => candidate.name === sink.name && candidate.target === sink.target);
    const deliveredSeq = row?.deliveredSeq ?? 0;
    return {
      ...sink,
      deliveredSeq,
      headSeq,
      backlog: Math.max(0, headSeq - deliveredSeq),
      failures: row?.failures ?? 0,
      lastError: row?.lastError ?? null,
      lastAttemptAt: row?.lastAttemptAt?.toISOString() ?? null,
      lastDeliveredAt: row?.lastDeliveredAt?.toISOString() ?? null,
      deliveringNode: row?.leaseUntil && row.leaseUntil > new Date() ? row.leaseNode : null,
    };
  });
}

export type AuditSinkDto = Awaited<ReturnType<typeof auditSinkStates>>[number];
