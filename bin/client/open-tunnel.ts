// `warren open local|dynamic --host NAME …`: requests a tunnel, waits while
// its host's approvers decide, and says how to use it. Options are parsed
// with the API's own schemas, so a bad one is named before Warren is asked;
// Warren's refusals are named by the option they came from.
import type { z } from "zod";
import { networkHostSchema, portSchema, ttlMinutesSchema, tunnelNameSchema } from "@/lib/validation/common";
import { reasonSchema } from "@/lib/validation/tunnels";
import { ClientError, usageError } from "./client-error";
import type { ClientCommand, ClientIo } from "./run-client";
import { tunnelLine, tunnelRef, type TunnelView } from "./tunnel-ref";
import { apiErrorText, callApi, requestJson, type Session } from "./warren-api";

type Values = Record<string, string | boolean | undefined>;
type OpenKind = "local" | "dynamic" | "remote";

/** How long between two looks at a request waiting for approval. */
const POLL_MS = 1_000;

/** The option each field of the API's answer comes from. */
const OPTION_OF: Record<string, string> = {
  hostId: "--host",
  name: "--name",
  ttlMinutes: "--ttl",
  reason: "--reason",
  teamId: "--team",
  listen: "--listen",
  "listen.address": "--listen",
  "listen.port": "--listen",
  target: "--target",
  "target.host": "--target",
  "target.port": "--target",
  kind: "the kind",
};

/** A value parsed by one of the shared schemas; its error names the option. */
function parsed<T extends z.ZodType>(schema: T, value: unknown, option: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw usageError(`${option}: ${result.error.issues[0]?.message ?? "is not valid"}`);
  return result.data;
}

/** "5432", "127.0.0.1:5432", "[::1]:5432" → its address (if given) and port. */
function hostPort(text: string, option: string, needsHost: boolean): { host?: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(text.trim());
  if (!match || (needsHost && !match[1])) throw usageError(`${option}: must be ${needsHost ? "HOST:PORT" : "[ADDRESS:]PORT"}, not '${text}'`);
  const port = parsed(portSchema, Number(match[2]), option);
  return match[1] ? { host: parsed(networkHostSchema, match[1], option), port } : { port };
}

const text = (value: string | boolean | undefined) => (typeof value === "string" ? value : undefined);

/** The request body, all but the host's and team's ids (which Warren knows by name). */
function requestOf(kind: OpenKind, values: Values) {
  const target = text(values.target);
  const toClient = values["to-client"] === true;
  if (kind === "local" && !target) throw usageError("--target: is required for a local tunnel (HOST:PORT, as seen from the SSH host)");
  if (kind === "dynamic" && target) throw usageError("--target: must be left out for a dynamic tunnel: each SOCKS client names its own");
  if (kind !== "remote" && toClient) throw usageError("--to-client: is for a remote tunnel, whose far end is this computer (warren expose)");
  if (kind === "remote" && toClient === !!target) {
    throw usageError("--to-client or --target: a remote tunnel leads to this computer (--to-client, then warren expose) or to HOST:PORT, one of them");
  }
  const listen = text(values.listen);
  if (kind === "remote" && !listen) throw usageError("--listen: is required for a remote tunnel: [ADDR:]PORT opened on the SSH host");
  const ttl = text(values.ttl);
  const name = text(values.name);
  const reason = text(values.reason);
  const to = target ? hostPort(target, "--target", true) : undefined;
  const at = listen ? hostPort(listen, "--listen", false) : undefined;
  return {
    kind,
    ...(name ? { name: parsed(tunnelNameSchema, name, "--name") } : {}),
    ...(to ? { target: { host: to.host!, port: to.port } } : {}),
    ...(toClient ? { target: { client: true } } : {}),
    // Left out: no port on the bastion, only warren connect reaches it.
    ...(at ? { listen: { ...(at.host ? { address: at.host } : {}), port: at.port } } : {}),
    ...(ttl ? { ttlMinutes: parsed(ttlMinutesSchema, /^\d+$/.test(ttl) ? Number(ttl) : ttl, "--ttl") } : {}),
    ...(reason !== undefined ? { reason: parsed(reasonSchema, reason, "--reason") } : {}),
  };
}

/** The id of what the person calls `name` in a list they may read (hosts, teams). */
async function idByName(session: Session, path: "hosts" | "teams", name: string, option: string): Promise<string> {
  const answer = await callApi<Record<string, { id: string; name: string }[]>>(session, "GET", path);
  const items = answer[path] ?? [];
  const found = items.find((item) => item.name === name);
  if (found) return found.id;
  const known = items.map((item) => item.name).join(", ");
  throw new ClientError(`${option}: no ${path === "hosts" ? "host" : "team of yours"} named ${name}${known ? ` (yours: ${known})` : ""}`);
}

/** A status the request or tunnel will not leave. */
const ENDED = new Set(["denied", "expired", "closed", "failed"]);

/** What the latest decision said (approved by …, denied by …: reason, expired unanswered). */
async function decision(session: Session, id: string): Promise<string | null> {
  const { events } = await callApi<{ events: { status: string; reason: string | null }[] }>(session, "GET", `tunnels/${id}/history`);
  const after = events.slice(events.findLastIndex((event) => event.status === "pending_approval") + 1);
  return after[0]?.reason ?? null;
}

/** Polls until the tunnel is open or ended; Ctrl-C stops waiting and leaves the request as it is. */
async function waitForTunnel(session: Session, created: TunnelView, io: ClientIo): Promise<TunnelView> {
  let tunnel = created;
  let stop: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    stop = () =>
      reject(
        new ClientError(
          `stopped waiting: the request ${tunnelRef(tunnel)} stays ${tunnel.status === "pending_approval" ? "pending" : tunnel.status}; withdraw it with \`warren close ${tunnelRef(tunnel)}\``,
        ),
      );
    process.once("SIGINT", stop);
  });
  try {
    while (tunnel.status === "pending_approval" || tunnel.status === "starting" || tunnel.status === "reconnecting") {
      await Promise.race([new Promise((resolve) => setTimeout(resolve, POLL_MS)), interrupted]);
      const was = tunnel.status;
      tunnel = await Promise.race([callApi<TunnelView>(session, "GET", `tunnels/${created.id}`), interrupted]);
      if (was === "pending_approval" && tunnel.status !== "pending_approval") {
        const said = await decision(session, tunnel.id);
        io.err(ENDED.has(tunnel.status) ? `${tunnel.status}: ${said ?? tunnel.statusReason ?? "no reason given"}` : `approved${said ? `: ${said}` : ""}`);
      }
    }
    return tunnel;
  } finally {
    if (stop) process.removeListener("SIGINT", stop);
  }
}

async function openTunnel(kind: OpenKind, values: Values, session: Session, io: ClientIo) {
  const host = text(values.host);
  if (!host) throw usageError("--host: is required (the SSH host's name, as Warren lists it)");
  const request = requestOf(kind, values);
  const team = text(values.team);
  const body = {
    ...request,
    hostId: await idByName(session, "hosts", host, "--host"),
    ...(team ? { teamId: await idByName(session, "teams", team, "--team") } : {}),
  };
  const answer = await requestJson<TunnelView & { error?: { field?: string } }>(session, "POST", "tunnels", body);
  if (answer.status >= 400) {
    const field = answer.body?.error?.field;
    const option = field ? (OPTION_OF[field] ?? field) : undefined;
    throw new ClientError(`${option ? `${option}: ` : ""}${apiErrorText(answer.status, answer.body)}`);
  }
  let tunnel: TunnelView = answer.body;
  if (tunnel.status === "pending_approval") {
    const until = new Date(tunnel.pendingUntil!).toLocaleString();
    io.err(`${tunnel.statusReason ?? `${host} needs approval`} (unanswered, the request expires at ${until}); Ctrl-C stops waiting`);
  }
  tunnel = await waitForTunnel(session, tunnel, io);
  io.out(tunnelLine(tunnel));
  if (tunnel.status !== "active") throw new ClientError(`the tunnel is ${tunnel.status}${tunnel.statusReason ? `: ${tunnel.statusReason}` : ""}`);
  const toClient = tunnel.target && "client" in tunnel.target;
  io.out(toClient ? `next: warren expose ${tunnelRef(tunnel)} --to [HOST:]PORT` : `next: warren connect ${tunnelRef(tunnel)}`);
}

export function openCommand(sessionOptions: ClientCommand["options"], sessionOf: (values: Values, env: ClientIo["env"]) => Session): ClientCommand {
  return {
    usage:
      "open local --host NAME --target HOST:PORT | open dynamic --host NAME  [--name N] [--ttl MINUTES] [--team T] [--listen [ADDR:]PORT] [--reason TEXT]\n" +
      "                                           requests a tunnel (no --listen: no port on the bastion, reach it with connect); waits for approval\n" +
      "                                           (--reason: why you need it, which a host that needs approval asks for)\n" +
      "open remote --host NAME --listen [ADDR:]PORT --to-client | --target HOST:PORT\n" +
      "                                           a port on the SSH host leading to this computer (then expose) or to a target",
    options: {
      ...sessionOptions,
      host: { type: "string" },
      target: { type: "string" },
      name: { type: "string" },
      ttl: { type: "string" },
      reason: { type: "string" },
      team: { type: "string" },
      listen: { type: "string" },
      "to-client": { type: "boolean" },
    },
    positionals: { min: 1, max: 1 },
    async run(values, [kind], io) {
      if (kind !== "local" && kind !== "dynamic" && kind !== "remote") throw usageError(`open: the kind must be local, remote or dynamic, not '${kind}'`);
      await openTunnel(kind, values, sessionOf(values, io.env), io);
    },
  };
}
