// The browser's way to Warren's API: same-origin, session cookie, and the one
// error shape turned into an exception the forms can place next to a field.
import { askSecondFactor } from "@/app/lib/second-factor-prompt";

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
    // The change needs a fresh second factor: ask for a code, then send it once more.
    if (error?.code === "second_factor_required" && (await askSecondFactor())) return apiFetch<T>(path, init);
    throw new ApiRequestError(response.status, error?.code ?? "error", error?.message ?? `request failed (${response.status})`, error?.field);
  }
  return body as T;
}
