import type { z } from "zod";
import { ApiError } from "@/lib/api/api-error";
import { readJsonObject } from "@/lib/api/read-json";

/** The path of the first string in `value` holding a NUL character, which
 *  PostgreSQL cannot store in text (SQLite can): refused on every database
 *  alike, in what the schema kept (a parameter it ignores is no field). */
function nulAt(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = nulAt(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function refuseNul<T>(input: T): T {
  const path = nulAt(input);
  if (!path) return input;
  const field = path.join(".") || undefined;
  throw new ApiError({ code: "unprocessable_entity", field, message: `${field ?? "body"}: must not contain a NUL character` });
}

/** The request's JSON object body, parsed by `schema`: 413 and 400 as
 *  readJsonObject answers them, 422 naming the first wrong field. */
export async function readBody<S extends z.ZodType>(req: Request, schema: S, options: { optional?: boolean } = {}): Promise<z.output<S>> {
  return refuseNul(schema.parse(await readJsonObject(req, options)));
}

/** The query string, parsed by `schema` (every value arrives as text). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return refuseNul(schema.parse(Object.fromEntries(new URL(req.url).searchParams)));
}
