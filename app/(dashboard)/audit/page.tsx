import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { searchAudit } from "@/lib/audit/audit-query";
import { NO_NAMES } from "@/lib/audit/audit-sentence";
import { auditQuerySchema } from "@/lib/validation/audit";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getPrisma } from "@/lib/db/prisma";
import { AuditView } from "./audit-view";

export const metadata: Metadata = { title: "Audit" };

const FILTER_KEYS = ["actor", "action", "hostId", "tunnelId", "from", "to", "q"] as const;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { user, ctx } = await requireSessionCtx();
  if (user.role !== "admin") forbidden();
  const params = await searchParams;
  const filters = Object.fromEntries(FILTER_KEYS.flatMap((key) => (typeof params[key] === "string" && params[key] ? [[key, params[key]]] : [])));
  const prisma = getPrisma();
  // Filters the API would refuse show an empty page.
  const query = auditQuerySchema.safeParse(filters);
  const [page, hosts, users] = await Promise.all([
    query.success ? searchAudit({ ctx, input: query.data }) : { events: [], nextCursor: null, names: NO_NAMES },
    prisma.host.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    prisma.user.findMany({ select: { id: true, email: true }, orderBy: { email: "asc" } }),
  ]);
  return <AuditView initial={page} filters={filters} hosts={hosts} users={users} />;
}
