import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import { canApprove } from "@/lib/teams/team-access";
import { getTunnel, getTunnelHistory } from "@/lib/tunnels/tunnels";
import { viewerOf } from "../viewer-of";
import { TunnelDetail } from "./tunnel-detail";

export const metadata: Metadata = { title: "Tunnel" };

export default async function TunnelPage({ params }: { params: Promise<{ id: string }> }) {
  const { ctx, user } = await requireSessionCtx();
  const { id } = await params;
  // Someone else's tunnel is a 404, exactly like a missing one.
  const [tunnel, history] = await Promise.all([getTunnel({ ctx, input: { id } }), getTunnelHistory({ ctx, input: { id } })]).catch(() => notFound());
  const { approver, ...viewer } = await viewerOf(user);
  // Whether requests on it are this viewer's to decide, whether or not one waits now.
  const mayDecide = approver && (await canApprove(ctx, tunnel));
  return <TunnelDetail initial={tunnel} initialHistory={history} viewer={viewer} mayDecide={mayDecide} publicUrl={getConfig().publicUrl} />;
}
