// Warren's Prometheus series (prom-client), in one registry. The ones here
// move when something happens and are counted on the main thread, from the
// events the data plane already sends it: the worker that forwards bytes
// counts nothing more. register-metrics.ts adds the series read at scrape
// time and serves them. Labels are low-cardinality by design: kinds, results,
// states and route templates, never a user, tunnel or host id.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RuntimeTunnel } from "@/server/tunnels/data-plane-protocol";

export const registry = new Registry();

export type TunnelKind = RuntimeTunnel["kind"];

/** How a connection through a tunnel ended: carried and closed, failed (the target or the link), or refused (sources, policy). */
export type ConnectionResult = "ok" | "failed" | "refused";

export const connectionsTotal = new Counter({
  name: "warren_tunnel_connections_total",
  help: "Connections through tunnels carried by this node, by tunnel kind and how they ended.",
  labelNames: ["kind", "result"] as const,
  registers: [registry],
});

export const bytesTotal = new Counter({
  name: "warren_tunnel_bytes_total",
  help: "Bytes carried by this node's tunnels, by kind; out: from the clients towards the targets, in: back to the clients (as in tunnels' bytesOut and bytesIn).",
  labelNames: ["kind", "direction"] as const,
  registers: [registry],
});

export const sshConnectSeconds = new Histogram({
  name: "warren_ssh_connect_seconds",
  help: "Time to open an SSH connection to a host, up to its key exchange and authentication, when it succeeded.",
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const sshReconnectsTotal = new Counter({
  name: "warren_ssh_reconnects_total",
  help: "Attempts to open a host's SSH connection again after it dropped or could not be opened.",
  registers: [registry],
});

export const httpRequestSeconds = new Histogram({
  name: "warren_http_request_seconds",
  help: "HTTP requests Warren answered, by route template, method and status code.",
  labelNames: ["route", "method", "code"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

/** Registered once the first check has run (server/audit/register-audit-upkeep.ts): before it, no value rather than a false 0. */
export const auditChainOk = new Gauge({
  name: "warren_audit_chain_ok",
  help: "1 when the last scheduled check of the audit chain passed, 0 when it found a record edited, removed or out of place.",
  registers: [],
});
