// Prometheus metrics on a listener of their own (WARREN_METRICS_ADDRESS,
// off by default): Warren's HTTP port faces people, the metrics port faces a
// scraper on the bastion or its private network. Series read at scrape time
// are defined here; the ones that count events are in metrics.ts.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { collectDefaultMetrics, Gauge } from "prom-client";
import type { WarrenConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import { WAITING_FOR_APPROVAL } from "@/lib/tunnels/approvals";
import type { Feature } from "@/server/feature";
import { httpRequestSeconds, registry, type TunnelKind } from "@/server/metrics/metrics";
import { followRequests } from "@/server/request-log";
import type { TunnelEngine } from "@/server/tunnels/tunnel-engine";
import { LINK_STATES } from "@/lib/tunnels/engine-port";
import { log } from "@/lib/log";

const ROOT = path.resolve(import.meta.dirname, "../..");
const KINDS: TunnelKind[] = ["local", "remote", "dynamic"];

/** The engine's series, from one reading of it per scrape: prom-client runs
 *  every series' collect, in the order they were registered, before it reads
 *  any value, so the first series' collect sets them all. */
function engineSeries(engine: TunnelEngine) {
  new Gauge({
    name: "warren_tunnel_connections_active",
    help: "Connections open now through the tunnels this node carries, by kind.",
    labelNames: ["kind"] as const,
    registers: [registry],
    collect() {
      const { connections, links: linkCounts, journalBacklog, refusingNew } = engine.health();
      for (const kind of KINDS) this.set({ kind }, connections.get(kind) ?? 0);
      for (const state of LINK_STATES) links.set({ state }, linkCounts.get(state) ?? 0);
      backlog.set(journalBacklog);
      backpressure.set(refusingNew ? 1 : 0);
    },
  });
  const links = new Gauge({
    name: "warren_ssh_links",
    help: "This node's SSH connections to hosts, by state: up, connecting, waiting (between attempts), down.",
    labelNames: ["state"] as const,
    registers: [registry],
  });
  const backlog = new Gauge({
    name: "warren_audit_journal_backlog",
    help: "Connection and audit events in this node's journal not yet committed to the database.",
    registers: [registry],
  });
  const backpressure = new Gauge({
    name: "warren_audit_journal_backpressure",
    help: "1 while this node refuses new connections because its journal is past WARREN_JOURNAL_BACKLOG_LIMIT (the database is slower than the traffic), else 0.",
    registers: [registry],
  });
}

/** The series read when Prometheus scrapes: the engine's live state here, and
 *  tunnels and approvals from the database (the same on every node). */
function scrapedSeries(engine: TunnelEngine) {
  engineSeries(engine);
  new Gauge({
    name: "warren_tunnels",
    help: "Tunnels in the database by kind and status (every node sees them all).",
    labelNames: ["kind", "status"] as const,
    registers: [registry],
    async collect() {
      const rows = await getPrisma().tunnel.groupBy({ by: ["kind", "status"], _count: { _all: true } });
      this.reset();
      for (const row of rows) this.set({ kind: row.kind, status: row.status }, row._count._all);
    },
  });
  new Gauge({
    name: "warren_approvals_pending",
    help: "Requests waiting for an approver: tunnels to open and extensions (every node sees them all).",
    registers: [registry],
    async collect() {
      this.set(await getPrisma().tunnel.count({ where: WAITING_FOR_APPROVAL }));
    },
  });
}

function buildInfo(config: WarrenConfig) {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  const info = new Gauge({
    name: "warren_build_info",
    help: "Always 1; its labels say which Warren runs here.",
    labelNames: ["version", "nodejs", "database", "node"] as const,
    registers: [registry],
  });
  info.set({ version, nodejs: process.version, database: config.database.provider, node: config.node.name }, 1);
}

/** Times every request Warren's HTTP server answers, labelled by its route template. */
function observeRequests() {
  followRequests(({ route, method, code, seconds }) => httpRequestSeconds.observe({ route, method, code: String(code) }, seconds));
}

function answer(req: IncomingMessage, res: ServerResponse) {
  if (req.method !== "GET" || new URL(req.url ?? "/", "http://warren").pathname !== "/metrics") {
    res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n");
    return;
  }
  registry.metrics().then(
    (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
    (error: unknown) => {
      log().error({ err: error }, "collecting metrics failed");
      res.writeHead(500, { "content-type": "text/plain" }).end("collecting metrics failed; see Warren's log\n");
    },
  );
}

/** Starts serving /metrics when WARREN_METRICS_ADDRESS is set; rejects, naming it, when it cannot listen there. */
export async function registerMetrics(engine: TunnelEngine, config: WarrenConfig): Promise<Feature | null> {
  const at = config.metricsAddress;
  if (!at) return null;
  collectDefaultMetrics({ register: registry });
  buildInfo(config);
  scrapedSeries(engine);
  observeRequests();
  const listener = createServer(answer);
  await new Promise<void>((resolve, reject) => {
    listener.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`WARREN_METRICS_ADDRESS: cannot listen on ${at.host}:${at.port} (${error.code ?? error.message})`)),
    );
    listener.listen(at.port, at.host, resolve);
  });
  return {
    name: "metrics",
    stop: () =>
      new Promise<void>((resolve) => {
        listener.close(() => resolve());
        listener.closeAllConnections(); // a scraper's kept-alive connection would hold the drain
      }),
  };
}
