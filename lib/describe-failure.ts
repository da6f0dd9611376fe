/** An error's own message, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What went wrong, in words for a page and the log: the cause a failed fetch or socket names, never a URL's secrets. */
export function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const message = messageOf(error);
  return cause?.code || cause?.message ? `${message} (${cause.code ?? cause.message})` : message;
}
