// Calls to Warren's /api/v1 as a signed-in browser makes them: its session
// cookie, from Warren's own origin.
export type SessionAnswer<T> = { status: number; body: T & { error?: { code: string; message: string; field?: string } } };

export function sessionClient(baseUrl: string, cookie: string) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<SessionAnswer<T>> => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { cookie, origin: baseUrl, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as SessionAnswer<T>["body"] };
  };
}
export type SessionClient = ReturnType<typeof sessionClient>;
