// Single sign-on over plain HTTP, as a browser does it: Warren's sign-in
// endpoint, the provider's authorization endpoint (which signs in whoever the
// test IdP was told), and back to Warren's callback, each with its own cookies.
export type SsoSignInResult = { session: string | undefined; error: string | null; location: string };

class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const value = pair.slice(at + 1);
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
}

async function get(url: string, jar: CookieJar): Promise<Response> {
  const response = await fetch(url, { redirect: "manual", headers: { cookie: jar.header() } });
  jar.take(response);
  return response;
}

/** One sign-in through the provider; `session` is Warren's session cookie ("name=value") when it worked. */
export async function ssoSignIn(warrenUrl: string, callbackUrl = "/tunnels"): Promise<SsoSignInResult> {
  const warren = new CookieJar();
  const idp = new CookieJar();
  const csrf = await get(`${warrenUrl}/api/auth/csrf`, warren);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const start = await fetch(`${warrenUrl}/api/auth/signin/oidc`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: warren.header(), origin: warrenUrl },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${warrenUrl}${callbackUrl}`, json: "true" }).toString(),
  });
  warren.take(start);
  let url = ((await start.json()) as { url: string }).url;
  // At the provider until it sends the browser back to Warren.
  for (let hops = 0; !url.startsWith(warrenUrl); hops++) {
    if (hops > 10) throw new Error(`the provider kept redirecting: ${url}`);
    const response = await get(url, idp);
    const location = response.headers.get("location");
    if (!location) throw new Error(`the provider answered ${response.status} at ${url}: ${await response.text()}`);
    url = new URL(location, url).toString();
  }
  const back = await get(url, warren);
  const location = new URL(back.headers.get("location") ?? "", warrenUrl).toString();
  const sessionValue = warren.get("next-auth.session-token");
  return {
    session: sessionValue ? `next-auth.session-token=${sessionValue}` : undefined,
    error: new URL(location).searchParams.get("error"),
    location,
  };
}
