"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import type { HostCheck } from "@/lib/hosts";
import { errorMessage } from "@/app/lib/error-message";
import type { HostView } from "./host-view";

type TestResult = { ok: boolean; checks: HostCheck[] };

const STEPS: Record<HostCheck["step"], string> = {
  network: "Network",
  handshake: "SSH handshake",
  "host-key": "Host key",
  authentication: "Authentication",
  forwarding: "TCP forwarding",
};

function summary(name: string, result: TestResult): string {
  if (result.ok) return `${name} works: all ${result.checks.length} checks passed.`;
  const failed = result.checks.find((check) => !check.ok);
  return failed ? `${name} failed at ${STEPS[failed.step].toLowerCase()}: ${failed.message}` : `${name} failed.`;
}

/** Tries the host step by step and says which step failed, in words. */
export function HostTest({ host }: { host: Pick<HostView, "id" | "name"> }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TestResult>();
  const [error, setError] = useState("");

  async function run() {
    if (pending) return;
    setPending(true);
    setError("");
    try {
      setResult(await apiFetch<TestResult>(`/hosts/${encodeURIComponent(host.id)}/test`, { method: "POST" }));
      // A first connection records the key; a changed one flags it. Show either.
      router.refresh();
    } catch (failure) {
      setResult(undefined);
      setError(errorMessage(failure));
    } finally {
      setPending(false);
    }
  }

  const status = pending ? `Testing ${host.name}…` : result ? summary(host.name, result) : error;
  return (
    <div className="space-y-2">
      <button
        type="button"
        onClick={run}
        aria-disabled={pending || undefined}
        className="rounded-md border border-brand-600 px-3 py-1.5 text-sm font-medium text-brand-700 hover:bg-brand-50 dark:border-brand-300 dark:text-brand-300 dark:hover:bg-zinc-800"
      >
        {pending ? "Testing…" : "Test connection"}
      </button>
      <p role="status" className={`text-sm ${result?.ok ? "text-emerald-800 dark:text-emerald-300" : result || error ? "text-red-700 dark:text-red-400" : ""}`}>
        {status}
      </p>
      {result ? (
        <ol aria-label={`Connection checks for ${host.name}`} className="space-y-1 text-sm">
          {result.checks.map((check) => (
            <li key={check.step} className="flex gap-2">
              <span aria-hidden="true" className={check.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}>
                {check.ok ? "✓" : "✗"}
              </span>
              <span>
                <span className="sr-only">{check.ok ? "Passed: " : "Failed: "}</span>
                <span className="font-medium">{STEPS[check.step]}</span>
                <span className="text-zinc-700 dark:text-zinc-300"> — {check.message}</span>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
