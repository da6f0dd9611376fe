import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getTunnel, getTunnelHistory } from "@/lib/tunnels/tunnels";
import { TunnelDetail } from "./tunnel-detail";

export const metadata: Metadata = { title: "Tunnel" };

export default async function TunnelPage({ params }: { params: Promise<{ id: string }> }) {
  const { ctx, user } = await requireSessionCtx();
  const { id } = await params;
  // Someone else's tunnel is a 404, exactly like a missing one.
  const [tunnel, history] = await Promise.all([getTunnel({ ctx, input: { id } }), getTunnelHistory({ ctx, input: { id } })]).catch(() => notFound());
  return <TunnelDetail initial={tunnel} initialHistory={history} viewerId={user.id} />;
}
