// A tiny client for Warren's /api/v1 in tests: bearer-token JSON calls.
export type ApiResponse<T = unknown> = { status: number; body: T };
export type ApiErrorBody = { error: { code: string; message: string; field?: string } };

export function apiClient(baseUrl: string, token: string) {
  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await send(method, path, body).catch((error: Error & { cause?: { code?: string; message?: string } }) => {
      // Warren closed a kept-alive connection, idle for its keepAliveTimeout, just as fetch reused it
      // for this request: the request never reached it (it closes idle connections only), so it is sent
      // again, as browsers do. A busy machine makes that race likely; anything else is thrown.
      if (error.cause?.code !== "UND_ERR_SOCKET" || error.cause.message !== "other side closed") throw error;
      return send(method, path, body);
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
