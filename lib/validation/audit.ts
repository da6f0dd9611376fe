import { z } from "zod";

const isoDate = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2026-11-25T00:00:00Z" }).transform((value) => new Date(value));

/** Records are numbered by a 32-bit integer (Prisma's Int) on every database. */
export const MAX_SEQ = 2_147_483_647;

/** Audit search filters, from a query string (every value arrives as text). */
export const auditQuerySchema = z.object({
  actor: z.string().trim().min(1).max(254).optional(),
  action: z
    .string()
    .trim()
    .regex(/^[a-z_]+(\.[a-z_]*)?\*?$/, { error: "must be an action like tunnel.opened, or a prefix like tunnel.*" })
    .optional(),
  hostId: z.string().trim().min(1).max(64).optional(),
  tunnelId: z.string().trim().min(1).max(64).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  // Searched word by word (the last word as a prefix), so it needs at least one.
  q: z
    .string()
    .trim()
    .max(200)
    .regex(/[\p{L}\p{N}]/u, { error: "must contain a letter or a digit" })
    .optional(),
  cursor: z.coerce.number({ error: "must be a number" }).int().positive().max(MAX_SEQ, { error: "is beyond any record" }).optional(),
  limit: z.coerce
    .number({ error: "must be a number" })
    .int()
    .min(1, { error: "must be between 1 and 200" })
    .max(200, { error: "must be between 1 and 200" })
    .default(50),
});
export type AuditQuery = z.output<typeof auditQuerySchema>;

export const auditExportSchema = auditQuerySchema.omit({ cursor: true, limit: true }).extend({
  format: z.enum(["csv", "jsonl"], { error: "must be csv or jsonl" }).default("jsonl"),
});
export type AuditExport = z.output<typeof auditExportSchema>;
