"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { apiFetch } from "@/app/lib/api-fetch";
import type { AuditSinkDto } from "@/lib/audit/audit-sinks";

const REFRESH_MS = 5_000;

const KIND_LABELS: Record<AuditSinkDto["kind"], string> = { webhook: "Webhook", syslog: "Syslog", file: "JSONL file" };

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

function State({ sink }: { sink: AuditSinkDto }) {
  if (sink.lastError) {
    return (
      <span className="text-red-700 dark:text-red-300">
        failing ({sink.failures} in a row): {sink.lastError}
      </span>
    );
  }
  return sink.backlog === 0 ? <span className="text-emerald-700 dark:text-emerald-300">up to date</span> : <span>catching up</span>;
}

/** Each sink's delivery state, read again every few seconds. */
export function SinkTable({ initial }: { initial: AuditSinkDto[] }) {
  const router = useRouter();
  const [sinks, setSinks] = useState(initial);
  // The page read them again (a sink added or removed).
  useEffect(() => setSinks(initial), [initial]);
  useEffect(() => {
    const timer = setInterval(() => {
      apiFetch<{ sinks: AuditSinkDto[] }>("/integrations").then(
        (body) => setSinks(body.sinks),
        () => {},
      );
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  if (sinks.length === 0) {
    return (
      <p className="rounded-lg border border-zinc-200 bg-white p-4 text-sm text-zinc-600 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-400">
        No audit sink is set: add one below, or set one in the environment (docs/audit-streaming.md).
      </p>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full text-sm">
        <caption className="sr-only">Audit sinks</caption>
        <thead>
          <tr className="text-left text-zinc-600 dark:text-zinc-400">
            <th scope="col" className="px-4 py-2 font-medium">
              Sink
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Delivered
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Backlog
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              State
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Last delivery
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Last attempt
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sinks.map((sink) => (
            <tr key={sink.name} className="border-t border-zinc-200 align-top dark:border-zinc-800" data-testid={`sink-${sink.name}`}>
              <td className="px-4 py-2">
                <div className="font-medium">
                  {KIND_LABELS[sink.kind]} {sink.source === "admin" ? sink.name : "(environment)"}
                </div>
                <div className="break-all text-zinc-600 dark:text-zinc-400">{sink.target}</div>
              </td>
              <td className="px-4 py-2 tabular-nums">
                record {sink.deliveredSeq} of {sink.headSeq}
              </td>
              <td className="px-4 py-2 tabular-nums">{sink.backlog}</td>
              <td className="px-4 py-2">
                <State sink={sink} />
              </td>
              <td className="px-4 py-2">{when(sink.lastDeliveredAt)}</td>
              <td className="px-4 py-2">{when(sink.lastAttemptAt)}</td>
              <td className="px-4 py-2">
                {sink.source === "admin" ? (
                  <ConfirmAction
                    label="Remove"
                    question={`Stop streaming the audit trail to ${sink.name}?`}
                    confirmLabel="Yes, remove it"
                    danger
                    onConfirm={async () => {
                      await apiFetch(`/integrations/${encodeURIComponent(sink.name)}`, { method: "DELETE" });
                      router.refresh();
                    }}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
