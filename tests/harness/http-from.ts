// HTTP requests from a chosen loopback address (any of 127.0.0.0/8 is
// this machine): one test can play a client, a reverse proxy and an attacker.
// An https:// URL is asked over TLS, trusting `ca` (a private CA's PEM).
import http from "node:http";
import https from "node:https";

export type HttpAnswer = { status: number; headers: http.IncomingHttpHeaders; setCookies: string[]; body: string };
export type HttpFromInit = { method?: string; headers?: Record<string, string>; body?: string; from?: string; ca?: Buffer };

export function httpFrom(url: string, init: HttpFromInit = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = (new URL(url).protocol === "https:" ? https : http).request(
      url,
      // A connection per request: no keep-alive reuse racing Warren's idle timeout.
      { method: init.method ?? "GET", headers: init.headers, localAddress: init.from, agent: false, ca: init.ca },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, setCookies: response.headers["set-cookie"] ?? [], body }),
        );
      },
    );
    request.on("error", reject);
    request.end(init.body);
  });
}
