// Prometheus metrics on their own listener (WARREN_METRICS_ADDRESS), scraped
// as Prometheus would while a real tunnel through OpenSSH carries traffic:
// the series move with what happens, and no label names a tunnel, host or user.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliceWithHost } from "@/tests/harness/alice-with-host";
import { apiClient, type ApiClient } from "@/tests/harness/api-client";
import { freePort, freePortInRange, waitFor } from "@/tests/harness/free-port";
import { fetchAll, startEchoServer, startOrigin, type Origin, type TcpServer } from "@/tests/harness/origin";
import { openRawDatabase } from "@/tests/harness/raw-database";
import { startSshd, type SshdHandle } from "@/tests/harness/sshd";
import { startWarren, type WarrenHandle } from "@/tests/harness/warren";

type Sample = { name: string; labels: Record<string, string>; value: number };

let sshd: SshdHandle;
let origin: Origin;
let echo: TcpServer;
let warren: WarrenHandle;
let alice: ApiClient;
let hostId: string;
let metricsPort: number;

/** One scrape, in Prometheus's text format, as samples. */
async function scrape(): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const samples: Sample[] = [];
  for (const line of (await response.text()).split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a series' samples whose labels include `labels`. */
function seriesValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function openLocal(targetPort: number, allowedSources?: string[]) {
  const listenPort = await freePortInRange();
  const created = await alice.post<{ id: string }>("/tunnels", {
    hostId,
    kind: "local",
    listen: { address: "127.0.0.1", port: listenPort },
    target: { host: "127.0.0.1", port: targetPort },
    ...(allowedSources ? { allowedSources } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await waitFor(
    () => alice.get<{ status: string }>(`/tunnels/${created.body.id}`),
    (r) => r.body.status === "active",
    30_000,
    "the tunnel to be active",
  );
  return { id: created.body.id, listenPort };
}

beforeAll(async () => {
  [sshd, origin, echo] = await Promise.all([startSshd(), startOrigin({ size: 256 * 1024 }), startEchoServer()]);
  metricsPort = await freePort();
  warren = await startWarren({ env: { WARREN_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`, WARREN_REFUSAL_SUMMARY_SECONDS: "1" } });
  ({ alice, hostId } = await aliceWithHost(warren, sshd, { name: "metrics-host", address: "127.0.0.1" }));
});

afterAll(async () => {
  await warren?.dispose();
  await Promise.all([sshd?.dispose(), origin?.close(), echo?.close()]);
});

describe("/metrics", () => {
  it("is served on its own listener only, with process metrics and which Warren runs", async () => {
    const samples = await scrape();
    expect(seriesValue(samples, "process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(samples.find((sample) => sample.name === "warren_build_info")?.labels).toMatchObject({ version: expect.any(String), database: expect.any(String) });
    expect((await fetch(`${warren.url}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
  });

  it("moves with a tunnel's connections and bytes, its link and its status", async () => {
    const before = await scrape();
    const tunnel = await openLocal(origin.port);
    const received = await fetchAll("127.0.0.1", tunnel.listenPort);
    expect(received.length).toBe(origin.payload.length);

    // The counters reach the main thread once a second; the scrape waits for them.
    const after = await waitFor(
      scrape,
      (samples) =>
        seriesValue(samples, "warren_tunnel_bytes_total", { kind: "local", direction: "in" }) >=
        seriesValue(before, "warren_tunnel_bytes_total", { kind: "local", direction: "in" }) + origin.payload.length,
      20_000,
      "the bytes to be counted",
    );
    const connections = (samples: Sample[]) => seriesValue(samples, "warren_tunnel_connections_total", { kind: "local", result: "ok" });
    await waitFor(scrape, (samples) => connections(samples) === connections(before) + 1, 20_000, "the connection to be counted");
    expect(seriesValue(after, "warren_tunnels", { kind: "local", status: "active" })).toBe(
      seriesValue(before, "warren_tunnels", { kind: "local", status: "active" }) + 1,
    );
    expect(seriesValue(after, "warren_ssh_links", { state: "up" })).toBe(1);
    expect(seriesValue(after, "warren_ssh_connect_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(seriesValue(after, "warren_audit_journal_backlog")).toBeGreaterThanOrEqual(0);

    const closed = await alice.delete(`/tunnels/${tunnel.id}`);
    expect(closed.status).toBe(200);
    await waitFor(scrape, (samples) => seriesValue(samples, "warren_ssh_links") === 0, 20_000, "the host's link to close with its last tunnel");
  });

  it("counts a connection open now, and a refused one by its result", async () => {
    const tunnel = await openLocal(echo.port);
    const socket = net.connect({ host: "127.0.0.1", port: tunnel.listenPort });
    await new Promise((resolve) => socket.once("connect", resolve));
    await waitFor(scrape, (samples) => seriesValue(samples, "warren_tunnel_connections_active", { kind: "local" }) === 1, 20_000, "one open connection");
    socket.destroy();
    await waitFor(scrape, (samples) => seriesValue(samples, "warren_tunnel_connections_active", { kind: "local" }) === 0, 20_000, "no open connection");

    const closedTo = await openLocal(echo.port, ["127.0.0.2/32"]);
    const before = seriesValue(await scrape(), "warren_tunnel_connections_total", { kind: "local", result: "refused" });
    await fetchAll("127.0.0.1", closedTo.listenPort).catch(() => Buffer.alloc(0));
    await waitFor(
      scrape,
      (samples) => seriesValue(samples, "warren_tunnel_connections_total", { kind: "local", result: "refused" }) === before + 1,
      20_000,
      "the refusal to be counted",
    );
  });

  it("times HTTP requests by route template, never by id, and counts approvals waiting", async () => {
    const { body } = await alice.get<{ tunnels: { id: string }[] }>("/tunnels");
    const id = body.tunnels[0]!.id;
    expect((await alice.get(`/tunnels/${id}`)).status).toBe(200);
    const samples = await waitFor(
      scrape,
      (s) => seriesValue(s, "warren_http_request_seconds_count", { route: "/api/v1/tunnels/[id]", method: "GET", code: "200" }) >= 1,
      20_000,
      "the request to be timed",
    );
    expect(seriesValue(samples, "warren_http_request_seconds_count", { route: "/api/v1/tunnels", method: "POST", code: "201" })).toBeGreaterThanOrEqual(3);
    expect(samples.some((sample) => sample.name === "warren_approvals_pending")).toBe(true);
    const labelValues = samples.flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.filter((value) => value.includes(id) || value.includes(hostId) || value.includes("alice@"))).toEqual([]);
  });

  it("says whether the audit chain verifies, checked at start, and shows a record edited behind Warren's back", async () => {
    await waitFor(scrape, (samples) => seriesValue(samples, "warren_audit_chain_ok") === 1, 20_000, "the first check to pass");
    await warren.stop();
    const raw = await openRawDatabase(warren);
    expect(await raw.run(`UPDATE "AuditEvent" SET "actorEmail" = 'someone@else.example' WHERE seq = 2`)).toBe(1);
    await raw.close();
    warren = await startWarren({ dataDir: warren.dataDir, port: warren.port, env: warren.env });
    await waitFor(
      scrape,
      (samples) => samples.some((sample) => sample.name === "warren_audit_chain_ok" && sample.value === 0),
      30_000,
      "the check at start to find the edit",
    );
    expect(warren.logs()).toContain("the audit chain is broken at record 2");
    // Admins are told too, in their bell.
    const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
    const told = await waitFor(
      async () => (await admin.get<{ notifications: { kind: string; title: string; url: string }[] }>("/me/notifications")).body.notifications,
      (list) => list.some((notification) => notification.kind === "audit.chain_broken"),
      20_000,
      "admins to be told",
    );
    expect(told.find((notification) => notification.kind === "audit.chain_broken")).toMatchObject({
      title: "The audit chain does not verify from record 2",
      url: "/audit",
    });
  });
});
