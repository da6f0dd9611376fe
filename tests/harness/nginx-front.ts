// A real nginx in front of Warren, configured by the repo's own
// deploy/nginx.conf: the file is read as shipped and only what a test must
// change is substituted (loopback listen addresses on free ports, the server
// name, a certificate from a private CA, Warren's port), then wrapped in the
// smallest main context nginx runs with, its files all in a temporary folder.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, waitForPort } from "./free-port";
import { privateCa } from "./tls-front";
import { REPO_ROOT } from "./warren";

/** Where Debian's nginx-light (and nginx) put it. */
const NGINX = "/usr/sbin/nginx";

export type NginxFront = {
  /** https://localhost:<port>: the file's TLS server. */
  url: string;
  /** http://localhost:<port>: the file's port-80 server. */
  httpUrl: string;
  /** The private CA that signed nginx's certificate: its PEM, and its file (for `warren connect --ca`). */
  ca: Buffer;
  caFile: string;
  /** nginx's error log so far. */
  errors(): Promise<string>;
  close(): Promise<void>;
};

/** Replaces every `from` in `text`; fails when the file no longer has it, rather than run some other configuration. */
function substitute(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === "string" ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`deploy/nginx.conf no longer contains ${String(from)}: tests/harness/nginx-front.ts substitutes it`);
  return typeof from === "string" ? text.replaceAll(from, to) : text.replace(from, to);
}

function listens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** `count` distinct ports free on IPv4 loopback and, with `ipv6`, on IPv6 loopback too (the file listens on both). */
async function freePorts(count: number, ipv6: boolean): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = await freePort();
    if (!ipv6 || (await listens("::1", port))) ports.add(port);
  }
  return [...ports];
}

/** The file as a test runs it: the same `server` blocks and proxy settings, on this machine's loopback. */
function siteFor(file: string, ports: { http: number; https: number; warren: number }, ipv6: boolean, tls: { cert: string; key: string }): string {
  let site = file;
  site = substitute(site, "listen 80;", `listen 127.0.0.1:${ports.http};`);
  site = substitute(site, "listen 443 ", `listen 127.0.0.1:${ports.https} `);
  if (ipv6) {
    site = substitute(site, "listen [::]:80;", `listen [::1]:${ports.http};`);
    site = substitute(site, "listen [::]:443 ", `listen [::1]:${ports.https} `);
  } else {
    // No IPv6 on this machine: nginx could not listen there.
    site = substitute(site, /^\s*listen \[::\]:80;\n/m, "");
    site = substitute(site, /^\s*listen \[::\]:443 .*\n/m, "");
  }
  site = substitute(site, "server_name warren.example.com;", "server_name localhost;");
  site = substitute(site, "/etc/ssl/warren.crt", tls.cert);
  site = substitute(site, "/etc/ssl/warren.key", tls.key);
  return substitute(site, "http://127.0.0.1:3000;", `http://127.0.0.1:${ports.warren};`);
}

/** Starts nginx in front of Warren's `warrenPort` (Warren need not be up yet). */
export async function startNginxFront(warrenPort: number): Promise<NginxFront> {
  if (!existsSync(NGINX)) {
    throw new Error(
      `nginx is not installed (no ${NGINX}): the deployment test runs deploy/nginx.conf in it; install Debian's nginx-light (apt-get install -y nginx-light)`,
    );
  }
  const dir = await mkdtemp(path.join(tmpdir(), "warren-nginx-"));
  // Started as root, nginx's workers run as nobody: they must be able to enter this folder for their temporary files.
  await chmod(dir, 0o755);
  const { key, cert, caFile } = privateCa(dir);
  const files = { cert: path.join(dir, "warren.crt"), key: path.join(dir, "warren.key") };
  await writeFile(files.cert, cert);
  await writeFile(files.key, key, { mode: 0o600 });
  const ipv6 = await listens("::1", 0);
  const [http, https] = (await freePorts(2, ipv6)) as [number, number];
  const site = siteFor(await readFile(path.join(REPO_ROOT, "deploy/nginx.conf"), "utf8"), { http, https, warren: warrenPort }, ipv6, files);
  const errorLog = path.join(dir, "error.log");
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${path.join(dir, kind)};`).join("\n");
  const config = path.join(dir, "nginx.conf");
  await writeFile(
    config,
    `daemon off;
worker_processes 1;
pid ${path.join(dir, "nginx.pid")};
error_log ${errorLog} notice;
events {}
http {
    access_log ${path.join(dir, "access.log")};
${temp}
${site}
}
`,
  );
  // `-e`: even the errors before the configuration is read go to the temporary folder.
  const child = spawn(NGINX, ["-p", `${dir}/`, "-c", config, "-e", errorLog], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const errors = () => readFile(errorLog, "utf8").catch(() => "");
  const up = waitForPort(https, "127.0.0.1", 20_000).then(
    () => true,
    () => false,
  );
  if (!(await Promise.race([up, exited.then(() => false)]))) {
    child.kill("SIGKILL");
    const said = `${output}\n${await errors()}\nits configuration:\n${await readFile(config, "utf8")}`;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`nginx did not start: ${said}`);
  }
  return {
    url: `https://localhost:${https}`,
    httpUrl: `http://localhost:${http}`,
    ca: await readFile(caFile),
    caFile,
    errors,
    async close() {
      // SIGTERM: nginx's fast shutdown, its master ending its workers.
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
