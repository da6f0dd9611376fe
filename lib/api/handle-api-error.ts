import { z } from "zod";
import { ApiError } from "@/lib/api/api-error";
import { isInvalidInput } from "@/lib/invalid-input";
import { log } from "@/lib/log";

/** Prisma's known request errors carry a string `code`; matched by shape so
 *  this module does not pull the generated client into every bundle. */
function prismaCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^P\d{4}$/.test(code) ? code : undefined;
}

// The database cannot be reached, or was restarted under the query:
// PostgreSQL's connection errors (class 08), its shutdown (57P01-57P03), and
// the socket and pool errors `pg` raises on its own.
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOENT", "ETIMEDOUT", "EHOSTUNREACH", "EPIPE", "57P01", "57P02", "57P03"]);
const UNREACHABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Can't reach database server/;

/** Whether `error` says the database is out of reach (a 503 to retry), not that the request was wrong. */
export function databaseUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === "string" && (UNREACHABLE_CODES.has(code) || code.startsWith("08"))) || UNREACHABLE_MESSAGE.test(String(message ?? ""));
}

function fieldOf(issue: z.core.$ZodIssue): string | undefined {
  return issue.path.length ? issue.path.join(".") : undefined;
}

/** Maps any thrown value to an ApiError: zod and InvalidInput → 422, unknown record → 404,
 *  unique conflict → 409, the database out of reach → 503, anything else → 500 without internals. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isInvalidInput(error)) return new ApiError({ code: "unprocessable_entity", field: error.field, message: error.message });
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    const field = issue && fieldOf(issue);
    return new ApiError({
      code: "unprocessable_entity",
      message: issue ? `${field ?? "body"}: ${issue.message}` : "invalid input",
      field,
    });
  }
  if (databaseUnreachable(error)) {
    log().error(`the database is out of reach: ${(error as Error).message}`);
    return new ApiError({ code: "unavailable", message: "the database is out of reach; try again in a moment" });
  }
  switch (prismaCode(error)) {
    case "P2002":
      return new ApiError({ code: "conflict", message: "a record with the same unique value already exists" });
    case "P2025":
      return new ApiError({ code: "not_found", message: "not found" });
  }
  log().error({ err: error }, "unhandled error");
  return new ApiError({ code: "internal_server_error", message: "internal error" });
}

export function handleApiError(error: unknown): Response {
  const apiError = toApiError(error);
  return Response.json(apiError.toBody(), { status: apiError.status });
}
