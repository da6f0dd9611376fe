import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { PageHeading } from "@/app/components/page-heading";
import { auditSinkStates } from "@/lib/audit/audit-sinks";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { AddSinkForm } from "./add-sink-form";
import { SinkTable } from "./sink-table";

export const metadata: Metadata = { title: "Integrations" };
export const dynamic = "force-dynamic";

export default async function IntegrationsPage() {
  const { user } = await requireSessionCtx();
  if (user.role !== "admin") forbidden();
  const sinks = await auditSinkStates();
  return (
    <section aria-labelledby="integrations-heading" className="space-y-6">
      <PageHeading
        id="integrations-heading"
        title="Integrations"
        description={
          <>
            Where Warren streams every audit record, in order and at least once (each carries its seq): the sinks set in the environment
            (WARREN_AUDIT_WEBHOOK_URL, WARREN_AUDIT_SYSLOG, WARREN_AUDIT_FILE) and those added here. A new sink gets the whole trail still kept.
          </>
        }
      />
      <SinkTable initial={sinks} />
      <AddSinkForm />
    </section>
  );
}
