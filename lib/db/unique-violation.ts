/** Whether a Prisma error is a unique constraint refusing a row (P2002): someone else made it first. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2002";
}
