import type { Metadata } from "next";
import Link from "next/link";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import { firstRunChecklist } from "@/lib/first-run-checklist";
import { listHosts } from "@/lib/hosts";
import { listApprovals } from "@/lib/tunnels/approvals";
import { listTunnels } from "@/lib/tunnels/tunnels";
import { FIRST_PAGE } from "@/lib/validation/page";
import { FirstRunChecklist } from "./first-run-checklist";
import { TunnelList } from "./tunnel-list";
import { viewerOf } from "./viewer-of";
import { PageHeading } from "@/app/components/page-heading";

export const metadata: Metadata = { title: "Tunnels" };

export default async function TunnelsPage({ searchParams }: { searchParams: Promise<{ show?: string }> }) {
  const { ctx, user } = await requireSessionCtx();
  const all = (await searchParams).show === "all";
  const [tunnels, { approver, ...viewer }] = await Promise.all([listTunnels({ ctx, input: { ...FIRST_PAGE, status: all ? "all" : "open" } }), viewerOf(user)]);
  const requests = approver ? await listApprovals({ ctx, input: FIRST_PAGE }) : null;
  const hasHosts = (await listHosts({ ctx })).length > 0;
  const checklist = await firstRunChecklist({ ctx });
  return (
    <section aria-labelledby="tunnels-heading" className="space-y-4">
      <PageHeading id="tunnels-heading" title="Tunnels">
        <Link href={all ? "/tunnels" : "/tunnels?show=all"} className="text-sm underline underline-offset-4">
          {all ? "Show open tunnels only" : "Show ended tunnels too"}
        </Link>
        <Link href="/tunnels/new" className="ml-auto rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700">
          New tunnel
        </Link>
      </PageHeading>
      {checklist ? <FirstRunChecklist steps={checklist} headingId="tunnels-heading" /> : null}
      <TunnelList initial={tunnels} showEnded={all} viewer={viewer} requests={requests} hasHosts={hasHosts} publicUrl={getConfig().publicUrl} />
    </section>
  );
}
