"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { testOutcome, type HostTestResult } from "@/lib/host-checks";
import type { HostView } from "./host-view";

/** A row's "Test": runs the host's checks once at a time and keeps what this run found; `announce` hears the outcome in a
 *  sentence. The page's data is reloaded: the outcome is kept on the host, and a first connection records its key. */
export function useHostTest(host: Pick<HostView, "id" | "name">, announce: (message: string) => void) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<HostTestResult>();
  const [error, setError] = useState("");

  async function run() {
    if (pending) return;
    setPending(true);
    setError("");
    try {
      const answer = await apiFetch<HostTestResult>(`/hosts/${encodeURIComponent(host.id)}/test`, { method: "POST" });
      setResult(answer);
      announce(answer.ok ? `${host.name} works: ${testOutcome(answer)}.` : `${host.name} failed its test at ${testOutcome(answer)}`);
      router.refresh();
    } catch (failure) {
      setResult(undefined);
      setError(errorMessage(failure));
      announce(`Could not test ${host.name}: ${errorMessage(failure)}`);
    } finally {
      setPending(false);
    }
  }
  return { run, pending, result, error };
}
