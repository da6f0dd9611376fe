// How extending a tunnel moves its expiry, for the server and for the page
// that says "until 21:56 (+1 h)" before the request is sent.

/** The new expiry of a tunnel extended by `minutes`: added to what it has left (never shortening it), within its host's maximum from now. */
export function extendedExpiry(expiresAt: Date, minutes: number, maxTtlMinutes = Number.POSITIVE_INFINITY, now = Date.now()): Date {
  return new Date(Math.min(Math.max(expiresAt.getTime(), now) + minutes * 60_000, now + maxTtlMinutes * 60_000));
}
