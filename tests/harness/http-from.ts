// Plain HTTP requests from a chosen loopback address (any of 127.0.0.0/8 is
// this machine): one test can play a client, a reverse proxy and an attacker.
import http from "node:http";

export type HttpAnswer = { status: number; setCookies: string[]; body: string };
export type HttpFromInit = { method?: string; headers?: Record<string, string>; body?: string; from?: string };

export function httpFrom(url: string, init: HttpFromInit = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // A connection per request: no keep-alive reuse racing Warren's idle timeout.
    const request = http.request(url, { method: init.method ?? "GET", headers: init.headers, localAddress: init.from, agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, setCookies: response.headers["set-cookie"] ?? [], body }));
    });
    request.on("error", reject);
    request.end(init.body);
  });
}
