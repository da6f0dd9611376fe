/** What went wrong, in words for a page and the log: the cause a failed fetch or socket names, never a URL's secrets. */
export function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code || cause?.message ? `${message} (${cause.code ?? cause.message})` : message;
}
