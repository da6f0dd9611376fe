// An internal web app for web-tunnel tests, on loopback behind a real sshd:
// a page with a form and a WebSocket echo, a redirect to its own host name,
// a cookie for its own domain, and what it received (headers, bodies), so a
// test can check what Warren passed on and what it kept back. Over HTTPS with
// a self-signed certificate when `tls` is given.
import { execFileSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { WebSocketServer } from "ws";

/** Tells an open event stream (/events) to send its second event. */
const events = new EventEmitter();

export type WebApp = {
  port: number;
  /** Every request's headers, in order. */
  seen: { method: string; url: string; headers: IncomingHttpHeaders }[];
  /** WebSockets open now. */
  sockets: () => number;
  close(): Promise<void>;
};

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Internal app</title></head><body>
<h1>Internal app</h1>
<form method="post" action="/submit"><textarea name="note"></textarea><button type="submit">Send</button></form>
<p>cookies: <span id="cookies"></span></p>
<p>echo: <span id="echo">none</span> · socket: <span id="socket">connecting</span></p>
<script>
document.getElementById("cookies").textContent = document.cookie || "(none)";
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/echo");
ws.onopen = () => { document.getElementById("socket").textContent = "open"; ws.send("ping over the tunnel"); };
ws.onmessage = (event) => { document.getElementById("echo").textContent = event.data; };
ws.onclose = () => { document.getElementById("socket").textContent = "closed"; };
</script></body></html>`;

function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "warren-web-app-"));
  try {
    const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"], {
      stdio: "ignore",
    });
    return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function respond(req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const url = new URL(req.url ?? "/", "http://app");
  if (url.pathname === "/") {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "set-cookie": `app-own=kept; Path=/; Domain=${(req.headers.host ?? "").split(":")[0]}` });
    return res.end(PAGE);
  }
  if (url.pathname === "/submit") {
    res.writeHead(200, { "content-type": "text/plain" });
    return res.end(`received ${body.length} bytes, sha256 ${createHash("sha256").update(body).digest("hex")}: ${body.toString().slice(0, 200)}`);
  }
  // The app's own idea of where it lives: its Host, as many apps build their redirects.
  if (url.pathname === "/redirect") {
    res.writeHead(302, { location: `http://${req.headers.host}/landed?from=redirect` });
    return res.end();
  }
  // Server-sent events: one now, the next only once the client says it got the first (so nothing may buffer them).
  if (url.pathname === "/events") {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write("data: first\n\n");
    events.once("next", () => res.end("data: second\n\n"));
    return;
  }
  if (url.pathname === "/events/next") {
    events.emit("next");
    res.writeHead(204);
    return res.end();
  }
  if (url.pathname === "/headers") {
    res.writeHead(200, { "content-type": "application/json" });
    return res.end(JSON.stringify(req.headers));
  }
  if (url.pathname === "/big") {
    const size = Number(url.searchParams.get("bytes") ?? 0);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) });
    return res.end(Buffer.alloc(size, 7));
  }
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`you are at ${url.pathname}${url.search}`);
}

export async function startWebApp(options: { tls?: boolean } = {}): Promise<WebApp> {
  const seen: WebApp["seen"] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => respond(req, res, Buffer.concat(chunks)));
  };
  const server = options.tls ? https.createServer(selfSigned(), handler) : http.createServer(handler);
  const wss = new WebSocketServer({ server, path: "/echo" });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(isBinary ? data : `echo: ${data.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    sockets: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
