import { ApiRequestError } from "@/app/lib/api-fetch";

/** The server's own words when it answered; otherwise say that it did not. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiRequestError) return error.message;
  return "Warren did not answer. Check your connection and try again.";
}
