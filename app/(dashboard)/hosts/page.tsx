import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { listHosts } from "@/lib/hosts";
import { AddHostForm } from "./add-host-form";
import { HostList } from "./host-list";
import { hostView } from "./host-view";

export const metadata: Metadata = { title: "Hosts" };

export default async function HostsPage() {
  const { user, ctx } = await requireSessionCtx();
  // Admins only, decided here on the server; to everyone else the page does not exist.
  if (user.role !== "admin") notFound();
  const hosts = (await listHosts({ ctx })).map(hostView);
  return (
    <section aria-labelledby="hosts-heading" className="space-y-8">
      <div>
        <h1 id="hosts-heading" className="text-xl font-semibold">
          Hosts
        </h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          The SSH servers Warren opens tunnels through. Keys stay on the bastion, encrypted.
        </p>
      </div>
      <HostList hosts={hosts} />
      <AddHostForm />
    </section>
  );
}
