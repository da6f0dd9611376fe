// How many connections of a tunnel the audit chain tells of, whether one by
// one or summed up in a slice's summary (server/tunnels/connection-audit.ts).
import { getPrisma } from "@/lib/db/prisma";

export async function auditedConnections(tunnelId: string): Promise<{ accepted: number; closed: number; summaries: number }> {
  const records = await getPrisma().auditEvent.findMany({
    where: { tunnelId, action: { startsWith: "connection." } },
    select: { action: true, details: true },
  });
  const counted = (action: string) =>
    records.reduce(
      (sum, record) => sum + (record.action === action ? 1 : record.action === `${action}_many` ? (JSON.parse(record.details) as { count: number }).count : 0),
      0,
    );
  const summaries = records.filter((record) => record.action.endsWith("_many") && record.action !== "connection.refused_many").length;
  return { accepted: counted("connection.accepted"), closed: counted("connection.closed"), summaries };
}
