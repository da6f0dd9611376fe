import { z } from "zod";
import { tunnelNameSchema } from "@/lib/validation/common";

export const MAX_PAGE = 200;

/** Where a page of a list starts: just after the last row of the previous page, in the list's order. */
export type Cursor = { at: Date; id: string };

export const encodeCursor = (row: { createdAt: Date; id: string }) => Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");

function decodeCursor(value: string): Cursor | null {
  try {
    const [at, id] = JSON.parse(Buffer.from(value, "base64url").toString()) as unknown[];
    return typeof at === "string" && typeof id === "string" && !Number.isNaN(Date.parse(at)) ? { at: new Date(at), id } : null;
  } catch {
    return null;
  }
}

/** A page of a list, from a query string: `cursor` is the previous page's nextCursor. */
export const pageQuerySchema = z.object({
  cursor: z
    .string()
    .transform((value, ctx) => {
      const cursor = decodeCursor(value);
      if (!cursor) ctx.addIssue({ code: "custom", message: "must be the nextCursor of a previous page" });
      return cursor ?? z.NEVER;
    })
    .optional(),
  limit: z.coerce
    .number({ error: "must be a number" })
    .int({ error: `must be between 1 and ${MAX_PAGE}` })
    .min(1, { error: `must be between 1 and ${MAX_PAGE}` })
    .max(MAX_PAGE, { error: `must be between 1 and ${MAX_PAGE}` })
    .default(100),
});
export type PageQuery = z.output<typeof pageQuerySchema>;
/** The first page at the default size, for pages that list without a query. */
export const FIRST_PAGE: PageQuery = pageQuerySchema.parse({});

/** GET /tunnels: open ones unless ?status=all, a page at a time; ?name= the caller's own open tunnel of that name. */
export const listTunnelsQuerySchema = pageQuerySchema.extend({
  status: z
    .string()
    .optional()
    .transform((status) => (status === "all" ? "all" : "open")),
  name: tunnelNameSchema.optional(),
});
export type ListTunnelsQuery = z.output<typeof listTunnelsQuerySchema>;
