// A browser on web tunnels' apps, spoken as HTTP to one Warren port: any Host,
// any cookies, and the sign-in handoff through Warren (/apps/launch, then the
// app host's /.warren/auth) as a browser follows it.
import http, { type IncomingHttpHeaders } from "node:http";

export type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

export type SendOptions = { method?: string; headers?: Record<string, string>; body?: Buffer | string };

export const cookieOf = (answer: Answer, name: string) =>
  (answer.headers["set-cookie"] ?? []).map((line) => line.split(";")[0]!).find((pair) => pair.startsWith(`${name}=`) && pair.length > name.length + 1);

/** `port`: the Warren port every request goes to, whatever host its URL names; `always`: headers sent with each. */
export function appBrowser(port: () => number, always: Record<string, string> = {}) {
  /** One request, as a browser at `url` would send it. */
  const send = (url: string, options: SendOptions = {}): Promise<Answer> => {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: port(),
          path: target.pathname + target.search,
          method: options.method ?? "GET",
          headers: { host: target.host, ...always, ...options.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
  };

  /** The sign-in handoff up to its code: the app host's state cookie and the /.warren/auth address Warren sends back. */
  const handoff = async (appUrl: string, warrenSession: string) => {
    const first = await send(`${appUrl}/notes?x=1`);
    if (first.status !== 303) throw new Error(`the app host answered ${first.status}, not a redirect to sign in: ${first.body}`);
    const state = cookieOf(first, "warren-app-state")!;
    const launch = await send(first.headers.location!, { headers: { cookie: warrenSession } });
    return { state, launch };
  };

  /** A browser session with the app: its cookie, after the whole handoff. */
  const openApp = async (appUrl: string, warrenSession: string): Promise<string> => {
    const { state, launch } = await handoff(appUrl, warrenSession);
    if (launch.status !== 303) throw new Error(`/apps/launch answered ${launch.status}: ${launch.body}`);
    const auth = await send(launch.headers.location!, { headers: { cookie: state } });
    if (auth.status !== 303 || auth.headers.location !== `${appUrl}/notes?x=1`) throw new Error(`/.warren/auth answered ${auth.status}: ${auth.body}`);
    return cookieOf(auth, "warren-app")!;
  };

  return { send, handoff, openApp };
}
