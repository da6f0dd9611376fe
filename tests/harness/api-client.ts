// A tiny client for Warren's /api/v1 in tests: bearer-token JSON calls.
export type ApiResponse<T = unknown> = { status: number; body: T };
export type ApiErrorBody = { error: { code: string; message: string; field?: string } };

export function apiClient(baseUrl: string, token: string) {
  async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
  return {
    get: <T = unknown>(path: string) => call<T>("GET", path),
    post: <T = unknown>(path: string, body?: unknown) => call<T>("POST", path, body ?? {}),
    patch: <T = unknown>(path: string, body: unknown) => call<T>("PATCH", path, body),
    delete: <T = unknown>(path: string, body?: unknown) => call<T>("DELETE", path, body),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;
