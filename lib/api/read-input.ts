import type { z } from "zod";
import { readJsonObject } from "@/lib/api/read-json";

/** The request's JSON object body, parsed by `schema`: 413 and 400 as
 *  readJsonObject answers them, 422 naming the first wrong field. */
export async function readBody<S extends z.ZodType>(req: Request, schema: S, options: { optional?: boolean } = {}): Promise<z.output<S>> {
  return schema.parse(await readJsonObject(req, options));
}

/** The query string, parsed by `schema` (every value arrives as text). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  return schema.parse(Object.fromEntries(new URL(req.url).searchParams));
}
