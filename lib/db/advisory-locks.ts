// PostgreSQL advisory lock keys Warren takes, one per thing it serialises
// across nodes. Transaction-level (pg_advisory_xact_lock) wherever the
// statement goes through a pool: a session-level lock would stay with
// whichever pooled connection happened to run it.
export const ADVISORY_LOCK = {
  /** Applying migrations: nodes starting together migrate one at a time. */
  migrate: 0x5741_0001,
  /** Appending to the audit chain, and the change it records. */
  audit: 0x5741_0002,
} as const;
