// Searching and exporting the audit trail, for admins. Keyset pagination on
// seq (never OFFSET), newest first for pages, oldest first for exports.
import { requireAdmin } from "@/lib/auth/require-admin";
import type { SealedAuditRecord } from "@/lib/audit/audit-chain";
import { AUDIT_COLUMNS, toAuditDto, type AuditRecordDto } from "@/lib/audit/audit-log";
import { auditNames } from "@/lib/audit/audit-names";
import type { Ctx } from "@/lib/context";
import { databaseProvider, getPrisma } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { type AuditExport, type AuditQuery, MAX_SEQ } from "@/lib/validation/audit";

type Filters = Omit<AuditQuery, "cursor" | "limit">;

/** An FTS5 query for the words of `text`, in order, the last one as a prefix. */
function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}" *`;
}

/** `text` for a LIKE pattern, its wildcards taken literally. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** An ILIKE pattern for `text` anywhere. */
const containing = (text: string) => `%${likeEscaped(text)}%`;

// Under SQLite's classic limit of 999 bound parameters, since the chunk becomes `seq IN (...)`.
const FTS_CHUNK = 900;

/** Seqs whose words match `q`, in chunks walking away from `from` (exclusive),
 *  through SQLite's FTS5 table. */
async function searchSeqs(q: string, direction: "older" | "newer", from: number, chunk: number): Promise<number[]> {
  const beyond = direction === "older" ? Prisma.sql`< ${from}` : Prisma.sql`> ${from}`;
  const order = Prisma.raw(direction === "older" ? "DESC" : "ASC");
  const rows = await getPrisma().$queryRaw<{ seq: bigint | number }[]>(
    Prisma.sql`SELECT rowid AS seq FROM "AuditSearch" WHERE "AuditSearch" MATCH ${ftsPhrase(q)} AND rowid ${beyond} ORDER BY rowid ${order} LIMIT ${chunk}`,
  );
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
async function findRows(filters: Filters, direction: "older" | "newer", from: number, take: number): Promise<SealedAuditRecord[]> {
  const { q, ...rest } = filters;
  if (databaseProvider() === "postgresql" && (q || rest.from || rest.to)) return findRowsPostgresql(filters, direction, from, take);
  const prisma = getPrisma();
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

// PostgreSQL, with the free text or a time range among the filters. Left to
// itself its planner picks between two plans on estimates that are wrong for
// the audit trail: walking seq newest first and filtering (fast when matches
// are many; a scan of half the table for a week in the middle of the trail,
// since `at` follows seq and the planner does not know it), or the matches
// from an index (the trigram index, `at`'s) sorted by seq (fast when they are
// few; but the trigrams of a frequent term such as "10.0.5." are in most
// rows, and each of those is read and checked: 0.8 s at a million records).
// So it is measured instead: walk WALK_FIRST records; if the matches found
// there promise a full page within WALK_MOST records, walk on; otherwise take
// the rest from the indexes. Either way the answer is exact (docs/performance.md,
// "Audit search").
const WALK_FIRST = 2_000;
const WALK_MOST = 20_000;

const AUDIT_SELECT = Prisma.raw(AUDIT_COLUMNS.map((column) => `"${column}"`).join(", "));

/** The filters as SQL conditions, the free text over the trigram index's
 *  expression (the postgresql audit_search migration's, character for character). */
function postgresqlConditions({ q, actor, action, hostId, tunnelId, from, to }: Filters): Prisma.Sql {
  const and: Prisma.Sql[] = [];
  if (actor) and.push(Prisma.sql`("actorId" = ${actor} OR "actorEmail" = ${actor.toLowerCase()})`);
  if (action) and.push(action.endsWith("*") ? Prisma.sql`"action" LIKE ${`${likeEscaped(action.slice(0, -1))}%`}` : Prisma.sql`"action" = ${action}`);
  if (hostId) and.push(Prisma.sql`"hostId" = ${hostId}`);
  if (tunnelId) and.push(Prisma.sql`"tunnelId" = ${tunnelId}`);
  // Stored without a zone, in UTC: the ISO text's "Z" is read as just that.
  if (from) and.push(Prisma.sql`"at" >= CAST(${from.toISOString()} AS timestamp(3))`);
  if (to) and.push(Prisma.sql`"at" < CAST(${to.toISOString()} AS timestamp(3))`);
  if (q) and.push(Prisma.sql`("action" || ' ' || coalesce("actorEmail", '') || ' ' || coalesce("actorIp", '') || ' ' || "details") ILIKE ${containing(q)}`);
  return Prisma.join(and, " AND ");
}

async function findRowsPostgresql(filters: Filters, direction: "older" | "newer", from: number, take: number): Promise<SealedAuditRecord[]> {
  const prisma = getPrisma();
  const conditions = postgresqlConditions(filters);
  const [beyond, order, edgeOf] = direction === "older" ? ["<", "DESC", "min"] : [">", "ASC", "max"];
  const walkFrom = (columns: string, edge: number, count: number) =>
    Prisma.sql`(SELECT ${Prisma.raw(columns)} FROM "AuditEvent" WHERE "seq" ${Prisma.raw(beyond)} ${edge} ORDER BY "seq" ${Prisma.raw(order)} LIMIT ${count}) AS "walked"`;
  const rows: SealedAuditRecord[] = [];
  let edge = from;
  let walked = 0;
  for (let count = WALK_FIRST; ; ) {
    // The next `count` records past the edge, filtered: the LIMIT inside keeps the planner to that walk.
    rows.push(
      ...(await prisma.$queryRaw<SealedAuditRecord[]>(
        Prisma.sql`SELECT ${AUDIT_SELECT} FROM ${walkFrom("*", edge, count)} WHERE ${conditions} ORDER BY "seq" ${Prisma.raw(order)} LIMIT ${take - rows.length}`,
      )),
    );
    if (rows.length >= take) return rows;
    const [end] = await prisma.$queryRaw<{ edge: number | null; count: bigint | number }[]>(
      Prisma.sql`SELECT ${Prisma.raw(edgeOf)}("seq") AS "edge", count(*) AS "count" FROM ${walkFrom(`"seq"`, edge, count)}`,
    );
    if (Number(end!.count) < count) return rows; // walked to the end of the trail
    edge = end!.edge!;
    walked += count;
    const promised = rows.length === 0 ? Number.POSITIVE_INFINITY : (walked * take) / rows.length;
    if (promised > WALK_MOST) break;
    count = Math.min(WALK_MOST, Math.ceil(promised * 1.25)) - walked;
  }
  // The rest from the indexes: `"seq" + 0` orders by seq but is no index's, so the planner cannot walk one.
  rows.push(
    ...(await prisma.$queryRaw<SealedAuditRecord[]>(
      Prisma.sql`SELECT ${AUDIT_SELECT} FROM "AuditEvent" WHERE ${conditions} AND "seq" ${Prisma.raw(beyond)} ${edge} ORDER BY "seq" + 0 ${Prisma.raw(order)} LIMIT ${take - rows.length}`,
    )),
  );
  return rows;
}

export async function searchAudit({ ctx, input }: { ctx: Ctx; input: AuditQuery }) {
  requireAdmin(ctx, "read the audit trail");
  const { cursor, limit, ...filters } = input;
  const rows = await findRows(filters, "older", cursor ?? MAX_SEQ, limit + 1);
  const page = rows.slice(0, limit).map(toAuditDto);
  return { events: page, nextCursor: rows.length > limit ? page.at(-1)!.seq : null, names: await auditNames(page) };
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
