"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiRequestError, apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";

/** One of the editors in a host's drawer: `save` PATCHes the host once at a time, says `done` when it worked, or keeps the error with its field. */
export function useHostChange(hostId: string) {
  const router = useRouter();
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [status, setStatus] = useState("");
  const [pending, setPending] = useState(false);

  async function save(body: Record<string, unknown>, done: string) {
    if (pending) return;
    setPending(true);
    setStatus("");
    try {
      await apiFetch(`/hosts/${encodeURIComponent(hostId)}`, { method: "PATCH", body });
      setError(undefined);
      setStatus(done);
      router.refresh();
    } catch (failure) {
      setError({ field: failure instanceof ApiRequestError ? failure.field : undefined, message: errorMessage(failure) });
    } finally {
      setPending(false);
    }
  }
  return { error, status, pending, save };
}
