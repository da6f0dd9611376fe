// Signs in through next-auth's own credentials endpoint, as the browser's
// sign-in form does. `from` picks the loopback address the connections come
// from (any of 127.0.0.0/8), so one test can play several machines.
import { httpFrom } from "./http-from";

/** `code`: the second factor, for an account that has one; `ca`: the private CA an https:// Warren's certificate is trusted by. */
export type SignInOptions = { from?: string; headers?: Record<string, string>; code?: string; ca?: Buffer };
/** `session`: the session cookie's "name=value"; `setCookies`: every Set-Cookie answered, attributes and all. */
export type SignInResult = { session: string | undefined; setCookies: string[]; error: string | null };

/** One sign-in: the session cookie ("name=value") if it worked, and the error next-auth reports, if any. */
export async function signInAttempt(baseUrl: string, email: string, password: string, options: SignInOptions = {}): Promise<SignInResult> {
  const { from, headers = {}, code = "", ca } = options;
  const csrf = await httpFrom(`${baseUrl}/api/auth/csrf`, { method: "GET", headers, from, ca });
  if (csrf.status !== 200) throw new Error(`GET /api/auth/csrf answered ${csrf.status}: ${csrf.body}`);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const cookie = csrf.setCookies.map((c) => c.split(";")[0]).join("; ");
  const response = await httpFrom(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie, origin: baseUrl },
    body: new URLSearchParams({ csrfToken, email, password, code, json: "true" }).toString(),
    from,
    ca,
  });
  // Over https the cookie is `__Host-` prefixed (lib/auth/sessions.ts).
  const session = response.setCookies.find((c) => /^(__Host-)?next-auth\.session-token=/.test(c))?.split(";")[0];
  const { url } = JSON.parse(response.body) as { url: string };
  return { session, setCookies: response.setCookies, error: new URL(url).searchParams.get("error") };
}

export async function signInCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const { session, error } = await signInAttempt(baseUrl, email, password);
  if (!session) throw new Error(`sign-in as ${email} failed (${error})`);
  return session;
}
