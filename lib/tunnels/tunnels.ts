// Requesting, listing, inspecting and closing tunnels. The engine does the
// opening; this decides what may be asked of it and answers in API shape.
import { ApiError } from "@/lib/api/api-error";
import { recordAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { findEngine, getEngine, isTunnelOpenError } from "@/lib/tunnels/engine-port";
import { sshCommand } from "@/lib/tunnels/ssh-command";
import { applyHostPolicy, hostPolicy } from "@/lib/tunnels/host-policy";
import { checkTunnelRules } from "@/lib/tunnels/tunnel-rules";
import { OPEN_STATUSES, isOpen } from "@/lib/tunnels/tunnel-status";
import { closeTunnelSchema, createTunnelSchema, extendTunnelSchema, type CreateTunnelInput } from "@/lib/validation/tunnels";

const tunnelInclude = {
  host: { select: { id: true, name: true, address: true, port: true, username: true } },
  owner: { select: { email: true } },
} as const;
type TunnelWithHost = Prisma.TunnelGetPayload<{ include: typeof tunnelInclude }>;

/** The API's tunnel: stored state plus the engine's live counters. */
export function serializeTunnel(tunnel: TunnelWithHost) {
  const live = isOpen(tunnel.status) ? findEngine()?.live(tunnel.id) : undefined;
  const target = tunnel.targetHost && tunnel.targetPort ? { host: tunnel.targetHost, port: tunnel.targetPort } : null;
  const listen = { address: tunnel.listenAddress, port: tunnel.listenPort };
  return {
    id: tunnel.id,
    kind: tunnel.kind,
    status: tunnel.status,
    statusReason: tunnel.statusReason,
    hostId: tunnel.hostId,
    host: { id: tunnel.host.id, name: tunnel.host.name },
    listen,
    target,
    sshCommand: sshCommand({ kind: tunnel.kind, listen, target, host: tunnel.host }),
    bytesIn: live?.bytesIn ?? Number(tunnel.bytesIn),
    bytesOut: live?.bytesOut ?? Number(tunnel.bytesOut),
    connections: live?.connections ?? 0,
    connectionsTotal: live?.connectionsTotal ?? tunnel.connectionsTotal,
    allowedSources: JSON.parse(tunnel.allowedSources) as string[],
    ownerId: tunnel.ownerId,
    ownerEmail: tunnel.owner.email,
    teamId: null,
    expiresAt: tunnel.expiresAt.toISOString(),
    createdAt: tunnel.createdAt.toISOString(),
    closedAt: tunnel.closedAt?.toISOString() ?? null,
  };
}
export type TunnelDto = ReturnType<typeof serializeTunnel>;

function visibleTo(ctx: Ctx): Prisma.TunnelWhereInput {
  if (ctx.actor.type === "system" || ctx.actor.role === "admin") return {};
  return { ownerId: ctx.actor.id };
}

function ownerOf(ctx: Ctx): string {
  if (ctx.actor.type !== "user") throw new ApiError({ code: "forbidden", message: "tunnels are requested by users" });
  return ctx.actor.id;
}

/** Another open tunnel on the same port answers 409 before the engine is asked. */
async function assertPortFree(input: { kind: string; hostId: string; listen: { address: string; port: number } }) {
  const remote = input.kind === "remote";
  const clash = await getPrisma().tunnel.findFirst({
    where: {
      status: { in: OPEN_STATUSES },
      listenPort: input.listen.port,
      // Warren-side listeners share the bastion; remote ones share their SSH host.
      ...(remote ? { kind: "remote", hostId: input.hostId } : { kind: { in: ["local", "dynamic"] } }),
    },
    select: { id: true, host: { select: { name: true } } },
  });
  if (clash) {
    const where = remote ? clash.host.name : "the bastion";
    throw new ApiError({ code: "conflict", field: "listen.port", message: `port ${input.listen.port} is already in use on ${where} (tunnel ${clash.id})` });
  }
}

export async function createTunnel({ ctx, input }: { ctx: Ctx; input: CreateTunnelInput }) {
  const ownerId = ownerOf(ctx);
  const data = createTunnelSchema.parse(input);
  const prisma = getPrisma();
  const host = await prisma.host.findUnique({ where: { id: data.hostId } });
  if (!host) throw new ApiError({ code: "unprocessable_entity", field: "hostId", message: `no host with id ${data.hostId}` });
  checkTunnelRules(data, getConfig());
  const allowedSources = applyHostPolicy(data, hostPolicy(host), host.name, {
    ip: ctx.ip ?? null,
    isAdmin: ctx.actor.type === "user" && ctx.actor.role === "admin",
    sourcesGiven: input.allowedSources !== undefined,
  });
  await assertPortFree(data);
  const engine = getEngine();

  const tunnel = await prisma.tunnel.create({
    data: {
      kind: data.kind,
      hostId: data.hostId,
      ownerId,
      listenAddress: data.listen.address,
      listenPort: data.listen.port,
      targetHost: data.target?.host ?? null,
      targetPort: data.target?.port ?? null,
      allowedSources: JSON.stringify(allowedSources),
      expiresAt: new Date(Date.now() + data.ttlMinutes * 60_000),
      status: "starting",
      events: { create: { status: "starting", reason: "requested" } },
    },
  });
  const audit = { hostId: tunnel.hostId, tunnelId: tunnel.id };
  await recordAudit(ctx, {
    action: "tunnel.requested",
    ...audit,
    details: { kind: data.kind, listen: data.listen, target: data.target ?? null, ttlMinutes: data.ttlMinutes, allowedSources },
  });
  try {
    await engine.open(tunnel.id);
  } catch (error) {
    // The request cannot work as asked: leave nothing behind, say why.
    await prisma.tunnel.delete({ where: { id: tunnel.id } });
    await recordAudit(ctx, { action: "tunnel.failed", ...audit, details: { reason: error instanceof Error ? error.message : String(error) } });
    if (isTunnelOpenError(error)) throw new ApiError({ code: "conflict", field: "listen.port", message: error.message });
    throw error;
  }
  return getTunnel({ ctx, input: { id: tunnel.id } });
}

export async function listTunnels({ ctx, input = {} }: { ctx: Ctx; input?: { status?: "open" | "all" } }) {
  const tunnels = await getPrisma().tunnel.findMany({
    where: { ...visibleTo(ctx), ...(input.status === "all" ? {} : { status: { in: OPEN_STATUSES } }) },
    include: tunnelInclude,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  return tunnels.map(serializeTunnel);
}

async function findVisible(ctx: Ctx, id: string) {
  const tunnel = await getPrisma().tunnel.findFirst({ where: { id, ...visibleTo(ctx) }, include: tunnelInclude });
  // Someone else's tunnel is as unknown as a missing one: no existence oracle.
  if (!tunnel) throw new ApiError({ code: "not_found", message: `no tunnel with id ${id}` });
  return tunnel;
}

export async function getTunnel({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  return serializeTunnel(await findVisible(ctx, input.id));
}

export async function getTunnelHistory({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const tunnel = await findVisible(ctx, input.id);
  const prisma = getPrisma();
  const [events, connections] = await Promise.all([
    prisma.tunnelEvent.findMany({ where: { tunnelId: tunnel.id }, orderBy: { at: "asc" }, take: 500 }),
    prisma.tunnelConnection.findMany({ where: { tunnelId: tunnel.id }, orderBy: { openedAt: "desc" }, take: 200 }),
  ]);
  return {
    events: events.map((event) => ({ status: event.status, reason: event.reason, at: event.at.toISOString() })),
    connections: connections.map((c) => ({
      id: c.id,
      source: c.source,
      destination: c.destination,
      bytesIn: Number(c.bytesIn),
      bytesOut: Number(c.bytesOut),
      openedAt: c.openedAt.toISOString(),
      closedAt: c.closedAt?.toISOString() ?? null,
      error: c.error,
    })),
  };
}

export async function closeTunnel({ ctx, input }: { ctx: Ctx; input: { id: string; reason?: unknown } }) {
  const tunnel = await findVisible(ctx, input.id);
  const { reason } = closeTunnelSchema.parse({ reason: input.reason });
  if (isOpen(tunnel.status)) {
    const by = ctx.actor.type === "user" ? ctx.actor.email : ctx.actor.name;
    await getEngine().close(tunnel.id, { status: "closed", reason: `closed by ${by}${reason ? `: ${reason}` : ""}`, ctx });
  }
  return getTunnel({ ctx, input: { id: tunnel.id } });
}

/** Moves an open tunnel's expiry to `ttlMinutes` from now, within its host's maximum. */
export async function extendTunnel({ ctx, input }: { ctx: Ctx; input: { id: string; ttlMinutes?: unknown } }) {
  const tunnel = await findVisible(ctx, input.id);
  const { ttlMinutes } = extendTunnelSchema.parse({ ttlMinutes: input.ttlMinutes });
  if (!isOpen(tunnel.status)) throw new ApiError({ code: "conflict", message: `the tunnel is ${tunnel.status}: only open tunnels can be extended` });
  const host = await getPrisma().host.findUniqueOrThrow({ where: { id: tunnel.hostId } });
  const { maxTtlMinutes } = hostPolicy(host);
  if (ttlMinutes > maxTtlMinutes) {
    throw new ApiError({ code: "unprocessable_entity", field: "ttlMinutes", message: `must be at most ${maxTtlMinutes} minutes on ${host.name}` });
  }
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
  await getPrisma().tunnel.update({ where: { id: tunnel.id }, data: { expiresAt } });
  getEngine().extend(tunnel.id, expiresAt);
  await recordAudit(ctx, { action: "tunnel.extended", hostId: tunnel.hostId, tunnelId: tunnel.id, details: { from: tunnel.expiresAt.toISOString(), to: expiresAt.toISOString() } });
  return getTunnel({ ctx, input: { id: tunnel.id } });
}
