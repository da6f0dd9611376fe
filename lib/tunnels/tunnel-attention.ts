import { requireUserId } from "@/lib/auth/require-user";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { EXPIRY_WARNING_MINUTES, type TunnelAttention } from "@/lib/tunnels/attention-count";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import { justFailed } from "@/lib/tunnels/tunnels";

/** The caller's own tunnels that may need their attention (lib/tunnels/attention-count.ts counts them). */
export async function tunnelAttention({ ctx }: { ctx: Ctx }): Promise<TunnelAttention> {
  const ownerId = requireUserId(ctx, "has tunnels of their own");
  const [failed, open] = await Promise.all([
    getPrisma().tunnel.count({ where: { ownerId, ...justFailed() } }),
    getPrisma().tunnel.findMany({
      where: { ownerId, status: { in: OPEN_STATUSES }, ttlMinutes: { gt: EXPIRY_WARNING_MINUTES } },
      select: { expiresAt: true },
      orderBy: { expiresAt: "asc" },
    }),
  ]);
  return { failed, openUntil: open.map((tunnel) => tunnel.expiresAt.toISOString()) };
}
