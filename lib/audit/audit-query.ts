// Searching and exporting the audit trail, for admins. Keyset pagination on
// seq (never OFFSET), newest first for pages, oldest first for exports.
import { requireAdmin } from "@/lib/auth/require-admin";
import { AUDIT_COLUMNS, toAuditDto, type AuditRecordDto } from "@/lib/audit/audit-log";
import type { Ctx } from "@/lib/context";
import { databaseProvider, getPrisma } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { type AuditExport, type AuditQuery, MAX_SEQ } from "@/lib/validation/audit";

type Filters = Omit<AuditQuery, "cursor" | "limit">;

/** An FTS5 query for the words of `text`, in order, the last one as a prefix. */
function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}" *`;
}

/** An ILIKE pattern for `text` anywhere. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

// Under SQLite's classic limit of 999 bound parameters, since the chunk becomes `seq IN (...)`.
const FTS_CHUNK = 900;

/** Seqs whose words match `q`, in chunks walking away from `from` (exclusive):
 *  through SQLite's FTS5 table, or PostgreSQL's trigram index over the same
 *  text (its expression is the index's, in the postgresql audit_search migration). */
async function searchSeqs(q: string, direction: "older" | "newer", from: number, chunk: number): Promise<number[]> {
  const beyond = direction === "older" ? Prisma.sql`< ${from}` : Prisma.sql`> ${from}`;
  const order = Prisma.raw(direction === "older" ? "DESC" : "ASC");
  const query =
    databaseProvider() === "postgresql"
      ? Prisma.sql`SELECT "seq" FROM "AuditEvent" WHERE ("action" || ' ' || coalesce("actorEmail", '') || ' ' || coalesce("actorIp", '') || ' ' || "details") ILIKE ${containing(q)} AND "seq" ${beyond} ORDER BY "seq" ${order} LIMIT ${chunk}`
      : Prisma.sql`SELECT rowid AS seq FROM "AuditSearch" WHERE "AuditSearch" MATCH ${ftsPhrase(q)} AND rowid ${beyond} ORDER BY rowid ${order} LIMIT ${chunk}`;
  const rows = await getPrisma().$queryRaw<{ seq: bigint | number }[]>(query);
  return rows.map((row) => Number(row.seq));
}

/** Filters other than the free text, which goes through the FTS index. */
export function auditWhere(filters: Omit<Filters, "q">): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (filters.actor) and.push({ OR: [{ actorId: filters.actor }, { actorEmail: filters.actor.toLowerCase() }] });
  if (filters.action) and.push(filters.action.endsWith("*") ? { action: { startsWith: filters.action.slice(0, -1) } } : { action: filters.action });
  if (filters.hostId) and.push({ hostId: filters.hostId });
  if (filters.tunnelId) and.push({ tunnelId: filters.tunnelId });
  if (filters.from || filters.to) and.push({ at: { ...(filters.from ? { gte: filters.from } : {}), ...(filters.to ? { lt: filters.to } : {}) } });
  return and.length ? { AND: and } : {};
}

/** Rows matching the filters, walking from `from` in `direction`, at most `take`. */
async function findRows(filters: Filters, direction: "older" | "newer", from: number, take: number) {
  const prisma = getPrisma();
  const { q, ...rest } = filters;
  const where = auditWhere(rest);
  const order = direction === "older" ? ("desc" as const) : ("asc" as const);
  const beyond = direction === "older" ? { lt: from } : { gt: from };
  if (!q) return prisma.auditEvent.findMany({ where: { ...where, seq: beyond }, orderBy: { seq: order }, take });
  // Free text: candidates from the index, chunk by chunk, checked against the other filters.
  // The first chunk is just a page: a frequent phrase costs the index per
  // match, so ask for more only when the other filters leave the page short.
  const rows = [];
  for (let cursor = from, chunk = Math.min(take, FTS_CHUNK); rows.length < take; chunk = Math.min(chunk * 4, FTS_CHUNK)) {
    const seqs = await searchSeqs(q, direction, cursor, chunk);
    if (seqs.length === 0) break;
    rows.push(...(await prisma.auditEvent.findMany({ where: { ...where, seq: { in: seqs } }, orderBy: { seq: order }, take: take - rows.length })));
    if (seqs.length < chunk) break;
    cursor = seqs.at(-1)!;
  }
  return rows;
}

export async function searchAudit({ ctx, input }: { ctx: Ctx; input: AuditQuery }) {
  requireAdmin(ctx, "read the audit trail");
  const { cursor, limit, ...filters } = input;
  const rows = await findRows(filters, "older", cursor ?? MAX_SEQ, limit + 1);
  const page = rows.slice(0, limit);
  return { events: page.map(toAuditDto), nextCursor: rows.length > limit ? page.at(-1)!.seq : null };
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  // Quote everything that needs it; a leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function formatRecord(record: AuditRecordDto, format: "csv" | "jsonl"): string {
  return format === "jsonl" ? `${JSON.stringify(record)}\n` : `${AUDIT_COLUMNS.map((column) => csvCell(record[column])).join(",")}\n`;
}

const EXPORT_PAGE = 2_000;

/** Every matching record, oldest first, as a stream of CSV or JSON lines. */
export function exportAudit({ ctx, input }: { ctx: Ctx; input: AuditExport }) {
  requireAdmin(ctx, "export the audit trail");
  const { format, ...filters } = input;
  let after = 0;
  let headerSent = format !== "csv";
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const rows = await findRows(filters, "newer", after, EXPORT_PAGE);
      let chunk = headerSent ? "" : `${AUDIT_COLUMNS.join(",")}\n`;
      headerSent = true;
      for (const row of rows) chunk += formatRecord(toAuditDto(row), format);
      if (chunk) controller.enqueue(encoder.encode(chunk));
      if (rows.length < EXPORT_PAGE) controller.close();
      else after = rows.at(-1)!.seq;
    },
  });
  return { stream, format };
}
