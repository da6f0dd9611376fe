// The laptop client's way to Warren's API: which Warren and which token
// (flags, then WARREN_URL / WARREN_TOKEN, then what `login` stored), and
// JSON requests over http(s) that verify certificates (a private CA with
// --ca). node:https rather than fetch: Node 20's fetch takes no CA of its own.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { ClientError } from "./client-error";
import { type Env, readCredentials } from "./credentials";

export type Connection = { url: URL; ca?: Buffer };
/** `stored`: the token is the one `login` stored (so a refusal says to log in again). */
export type Session = Connection & { token: string; stored?: boolean };

export type ConnectionFlags = { url?: string; ca?: string };
export type SessionFlags = ConnectionFlags & { token?: string };

/** Warren's URL as given, with the path it may carry (a prefix behind a proxy) kept and a trailing slash added. */
export function warrenUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClientError(`'${text}' is not a URL: give Warren's address, such as https://warren.example.com`, 2);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ClientError(`'${text}': Warren's URL starts with https:// (or http://)`, 2);
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.search = "";
  url.hash = "";
  return url;
}

export function readCa(path: string | undefined): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ClientError(`--ca ${path}: ${(error as Error).message}`, 2);
  }
}

export function connectionFrom(flags: ConnectionFlags, env: Env): Connection | null {
  const text = flags.url ?? env.WARREN_URL ?? readCredentials(env)?.url;
  return text ? { url: warrenUrl(text), ca: readCa(flags.ca ?? env.WARREN_CA) } : null;
}

/** The session a command runs as; a clear refusal when there is none. */
export function sessionFrom(flags: SessionFlags, env: Env): Session {
  const stored = readCredentials(env);
  const connection = connectionFrom(flags, env);
  if (!connection) throw new ClientError("not logged in: run `warren login https://your-warren` (or give --url and --token)");
  const explicit = flags.token ?? env.WARREN_TOKEN;
  if (explicit) return { ...connection, token: explicit };
  // A stored token is only sent to the Warren that issued it.
  const token = stored && warrenUrl(stored.url).href === connection.url.href ? stored.token : undefined;
  if (!token) throw new ClientError(`no token for ${connection.url.href}: run \`warren login ${connection.url.origin}\` (or give --token)`);
  return { ...connection, token, stored: true };
}

/** Why Warren could not be reached; a certificate that does not verify says how to trust a private CA. */
export function unreachable(origin: string, error: Error & { code?: string }): string {
  const certificate = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(error.code ?? "");
  return `Warren at ${origin} is unreachable: ${error.message}${certificate ? " (its certificate does not verify: for a private CA, give its certificate with --ca FILE or WARREN_CA)" : ""}`;
}

export type ApiAnswer<T> = { status: number; body: T };

/** Sends one request to `/api/v1/<path>`; an error answer becomes a ClientError carrying Warren's own message. */
export async function callApi<T>(connection: Connection & { token?: string; stored?: boolean }, method: string, path: string, body?: unknown): Promise<T> {
  const { status, body: answer } = await requestJson<T>(connection, method, path, body);
  if (status === 401 && connection.stored) {
    throw new ClientError(`${apiErrorText(status, answer)}: run \`warren login ${connection.url.href.replace(/\/$/, "")}\` to sign in again`);
  }
  if (status >= 400) throw new ClientError(apiErrorText(status, answer));
  return answer;
}

export function apiErrorText(status: number, body: unknown): string {
  const error = (body as { error?: { message?: unknown; code?: unknown } } | null)?.error;
  if (typeof error?.message === "string") return error.message;
  return `Warren answered ${status}`;
}

/** The raw exchange, for callers that read error answers themselves (the device flow's polling). */
export function requestJson<T>(connection: Connection & { token?: string }, method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
  const url = new URL(`api/v1/${path.replace(/^\//, "")}`, connection.url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  // Named so that the audit trail and the devices list tell the client from a browser.
  const headers: Record<string, string> = { accept: "application/json", "user-agent": `warren-client (Node.js ${process.version}; ${process.platform})` };
  if (payload) headers["content-type"] = "application/json";
  if (connection.token) headers.authorization = `Bearer ${connection.token}`;
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { method, headers, ca: connection.ca, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          resolve({ status: response.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T });
        } catch {
          reject(new ClientError(`${url.origin} answered ${response.statusCode} with something other than JSON: is it Warren?`));
        }
      });
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 30 s")));
    request.on("error", (error) => reject(new ClientError(unreachable(url.origin, error))));
    request.end(payload);
  });
}
