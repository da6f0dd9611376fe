import { getPrisma } from "@/lib/db/prisma";

/** The newest tunnel that had this app host's slug: an ended one lets a page say so, rather than "no such app". */
export function webTunnelAt(slug: string) {
  return getPrisma().tunnel.findFirst({ where: { webSlug: slug }, orderBy: { createdAt: "desc" } });
}
