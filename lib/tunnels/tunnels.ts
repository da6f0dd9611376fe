// Requesting, listing, inspecting and closing tunnels. The engine does the
// opening; this decides what may be asked of it and answers in API shape.
import { messageOf } from "@/lib/describe-failure";
import { announceTunnelChange } from "@/lib/tunnels/announce-tunnel-change";
import { appOrigin } from "@/lib/apps/app-address";
import { ApiError } from "@/lib/api/api-error";
import { audited, recordAudit } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { actorId, actorName, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { tunnelRooms } from "@/lib/realtime/events";
import { publish } from "@/lib/realtime/publish";
import type { Prisma, TunnelConnection } from "@/lib/generated/prisma/client";
import type { TunnelStatus } from "@/lib/generated/prisma/enums";
import { findEngine, getEngine, isTunnelOpenError } from "@/lib/tunnels/engine-port";
import { sshCommand } from "@/lib/tunnels/ssh-command";
import { assertNotBastion } from "@/lib/tunnels/bastion-target";
import { carriesHost, pinnedListenAddresses } from "@/lib/host-nodes";
import { applyHostPolicy, hostPolicy } from "@/lib/tunnels/host-policy";
import { checkTunnelRules } from "@/lib/tunnels/tunnel-rules";
import { grantedTunnelRefusal } from "@/lib/tunnels/reapply-host-policy";
import { assertWithinLimits } from "@/lib/tunnels/tunnel-limits";
import { OPEN_STATUSES, RESERVING_STATUSES, awaitsDecision, isOpen } from "@/lib/tunnels/tunnel-status";
import { hostVisibleWhere, isPrivileged, canApprove, isMember } from "@/lib/teams/team-access";
import { notifyApprovers } from "@/lib/tunnels/approval-events";
import { closeOpenTunnel, endRequest } from "@/lib/tunnels/end-tunnel";
import { extendedExpiry } from "@/lib/tunnels/tunnel-expiry";
import { hostTarget, tunnelSpec } from "@/lib/tunnels/tunnel-spec";
import { encodeCursor, type ListTunnelsQuery, type PageQuery } from "@/lib/validation/page";
import type { CreateTunnel, ExtendTunnel, OptionalReason } from "@/lib/validation/tunnels";

const tunnelInclude = {
  host: { select: { id: true, name: true, address: true, port: true, username: true } },
  owner: { select: { email: true } },
  team: { select: { id: true, name: true } },
  participants: { select: { userId: true, source: true, granted: true, joinedAt: true, user: { select: { email: true } } }, orderBy: { joinedAt: "asc" } },
} as const;
export type TunnelWithHost = Prisma.TunnelGetPayload<{ include: typeof tunnelInclude }>;

/** The API's tunnel: stored state plus the engine's live counters.
 *  `hostVisible`: whether the viewer may see its host; if not (a team member
 *  looking at a tunnel shared with them), the host shows by name only. */
export function serializeTunnel(tunnel: TunnelWithHost, hostVisible: boolean) {
  const live = isOpen(tunnel.status) ? findEngine()?.live(tunnel.id) : undefined;
  const { listen, target, allowedSources } = tunnelSpec(tunnel);
  return {
    id: tunnel.id,
    name: tunnel.name,
    kind: tunnel.kind,
    status: tunnel.status,
    statusReason: tunnel.statusReason,
    hostId: tunnel.hostId,
    // Its address only for a viewer who may see the host.
    host: { id: tunnel.host.id, name: tunnel.host.name, address: hostVisible ? tunnel.host.address : null },
    listen,
    target,
    /** The Warren node carrying it (null: none yet, or it is not open). */
    node: isOpen(tunnel.status) ? tunnel.nodeName : null,
    // Only for a tunnel to its owner's computer: whether their `warren expose` client holds it now.
    ...(target && "client" in target ? { clientAttached: live?.clientAttached ?? false } : {}),
    web: tunnel.webScheme ? { scheme: tunnel.webScheme, hostHeader: tunnel.webHostHeader, insecureTls: tunnel.webInsecureTls } : null,
    /** Where the browser opens a web tunnel's app (null: not a web tunnel, or web tunnels are off). */
    webUrl: tunnel.webSlug ? `${appOrigin(tunnel.webSlug, getConfig())}/` : null,
    sshCommand: sshCommand({ kind: tunnel.kind, listen, target, host: hostVisible ? tunnel.host : { name: tunnel.host.name } }),
    bytesIn: live?.bytesIn ?? Number(tunnel.bytesIn),
    bytesOut: live?.bytesOut ?? Number(tunnel.bytesOut),
    connections: live?.connections ?? 0,
    connectionsTotal: live?.connectionsTotal ?? tunnel.connectionsTotal,
    allowedSources,
    ownerId: tunnel.ownerId,
    ownerEmail: tunnel.owner.email,
    teamId: tunnel.teamId,
    team: tunnel.team,
    participants: tunnel.participants.map((p) => ({
      userId: p.userId,
      email: p.user.email,
      source: p.source,
      granted: p.granted,
      joinedAt: p.joinedAt.toISOString(),
    })),
    ttlMinutes: tunnel.ttlMinutes,
    /** Why its owner asked for it (null: they gave no reason). */
    requestReason: tunnel.requestReason,
    idleMinutes: tunnel.idleMinutes,
    /** When it closes if nothing goes through it meanwhile (null: no idle limit, or a connection is open). */
    idleClosesAt: live?.idleClosesAt ?? null,
    pendingUntil: tunnel.pendingUntil?.toISOString() ?? null,
    extensionRequest:
      tunnel.extensionMinutes && tunnel.extensionUntil ? { minutes: tunnel.extensionMinutes, until: tunnel.extensionUntil.toISOString() } : null,
    expiresAt: tunnel.expiresAt.toISOString(),
    createdAt: tunnel.createdAt.toISOString(),
    closedAt: tunnel.closedAt?.toISOString() ?? null,
  };
}
export type TunnelDto = ReturnType<typeof serializeTunnel>;

/** Listed for a user: their own tunnels and those shared with their teams. */
function listedFor(ctx: Ctx): Prisma.TunnelWhereInput {
  if (isPrivileged(ctx)) return {};
  const userId = actorId(ctx)!;
  return { OR: [{ ownerId: userId }, { team: { memberships: { some: { userId } } } }] };
}

/** Who may look at one tunnel: its owner, admins, members of the team it is
 *  shared with, and whoever may decide a request waiting on it. */
async function mayView(ctx: Ctx, tunnel: { ownerId: string; hostId: string; teamId: string | null } & Parameters<typeof awaitsDecision>[0]) {
  const userId = actorId(ctx);
  if (isPrivileged(ctx) || tunnel.ownerId === userId) return true;
  if (tunnel.teamId && (await isMember(userId!, tunnel.teamId))) return true;
  return awaitsDecision(tunnel) && canApprove(ctx, tunnel);
}

/** Closing and extending are for the owner and admins; team members only look and join. */
export function assertOwnerOrAdmin(ctx: Ctx, tunnel: { ownerId: string }, action: string) {
  if (!isPrivileged(ctx) && tunnel.ownerId !== actorId(ctx)) {
    throw new ApiError({ code: "forbidden", message: `only the tunnel's owner or an admin can ${action}` });
  }
}

function ownerOf(ctx: Ctx): string {
  if (ctx.actor.type !== "user") throw new ApiError({ code: "forbidden", message: "tunnels are requested by users" });
  return ctx.actor.id;
}

/** Which of these hosts the caller may see. */
async function visibleHostIds(ctx: Ctx, hostIds: string[]): Promise<Set<string>> {
  const hosts = await getPrisma().host.findMany({ where: { id: { in: [...new Set(hostIds)] }, ...hostVisibleWhere(ctx) }, select: { id: true } });
  return new Set(hosts.map((host) => host.id));
}

async function serializeFor(ctx: Ctx, tunnel: TunnelWithHost) {
  return serializeTunnel(tunnel, (await visibleHostIds(ctx, [tunnel.hostId])).has(tunnel.hostId));
}

/** Another open tunnel on the same port answers 409 before the engine is asked;
 *  it is named only to someone who may see it. A request waiting for approval
 *  holds no port: the port is checked again when it is approved, so requests
 *  cannot squat ports while nobody decides. */
export async function assertPortFree(ctx: Ctx, input: { kind: string; hostId: string; listen: { address: string; port: number } | null }, self?: string) {
  if (!input.listen) return;
  const remote = input.kind === "remote";
  const clash = await getPrisma().tunnel.findFirst({
    where: {
      status: { in: OPEN_STATUSES },
      ...(self ? { id: { not: self } } : {}),
      listenPort: input.listen.port,
      // Warren-side listeners share the bastion; remote ones share their SSH host.
      ...(remote ? { kind: "remote", hostId: input.hostId } : { kind: { in: ["local", "dynamic"] } }),
    },
    include: { host: { select: { name: true } } },
  });
  if (clash) {
    const where = remote ? clash.host.name : "the bastion";
    const which = (await mayView(ctx, clash)) ? ` (tunnel ${clash.id})` : "";
    throw new ApiError({ code: "conflict", field: "listen.port", message: `port ${input.listen.port} is already in use on ${where}${which}` });
  }
}

/** A name is the owner's handle for one tunnel in play (open or waiting for
 *  approval); once that one ends, the name is free again. Checked in the
 *  transaction that creates the tunnel. */
async function assertNameFree(tx: Prisma.TransactionClient, ownerId: string, name: string) {
  const taken = await nameHolder(tx, ownerId, name);
  if (taken) throw new ApiError({ code: "conflict", field: "name", message: `you already have an open tunnel named ${name} (${taken.id})` });
}

/** The owner's tunnel in play that holds `name`, if any. */
export const nameHolder = (db: Prisma.TransactionClient, ownerId: string, name: string) =>
  db.tunnel.findFirst({ where: { ownerId, name, status: { in: RESERVING_STATUSES } }, select: { id: true } });

/** The web tunnel in play whose app host is `slug`, if any. */
export const appHostHolder = (db: Prisma.TransactionClient, slug: string) =>
  db.tunnel.findFirst({ where: { webSlug: slug, status: { in: RESERVING_STATUSES } }, select: { id: true } });

/** A web tunnel's app host is its name's (or its id's) among web tunnels in play: two open apps never share one. */
async function assertAppHostFree(tx: Prisma.TransactionClient, slug: string) {
  const taken = await appHostHolder(tx, slug);
  const origin = appOrigin(slug, getConfig());
  if (taken) throw new ApiError({ code: "conflict", field: "name", message: `${origin} is taken by another open web tunnel: choose another name` });
}

function assertWebAvailable(input: CreateTunnel) {
  if (input.web && !getConfig().appsDomain) {
    throw new ApiError({
      code: "unprocessable_entity",
      field: "web",
      message: "web tunnels are off on this Warren: an admin turns them on with WARREN_APPS_DOMAIN (docs/web-apps.md)",
    });
  }
}

/** `reopenedFrom`: the ended tunnel this one reopens, named in its `tunnel.requested` record. */
export async function createTunnel({ ctx, input, reopenedFrom }: { ctx: Ctx; input: CreateTunnel; reopenedFrom?: string }) {
  const ownerId = ownerOf(ctx);
  const prisma = getPrisma();
  // A host the requester may not use is as unknown as a missing one.
  const host = await prisma.host.findFirst({ where: { id: input.hostId, ...hostVisibleWhere(ctx) } });
  if (!host) throw new ApiError({ code: "unprocessable_entity", field: "hostId", message: `no host with id ${input.hostId}` });
  if (input.teamId && !(await isMember(ownerId, input.teamId))) {
    throw new ApiError({ code: "unprocessable_entity", field: "teamId", message: "must be one of your teams" });
  }
  // A host pinned to other nodes: its tunnel listens where they may bind.
  const config = getConfig();
  const listenAddresses = carriesHost(host.nodes, config.node.name) ? config.listenAddresses : await pinnedListenAddresses(host);
  checkTunnelRules(input, { ...config, listenAddresses });
  assertWebAvailable(input);
  const policy = hostPolicy(host);
  // Left out, the TTL is the host's default, within its maximum.
  const data = { ...input, ttlMinutes: input.ttlMinutes ?? Math.min(policy.defaultTtlMinutes, policy.maxTtlMinutes) };
  const allowedSources = applyHostPolicy(data, policy, host.name, { ip: ctx.ip ?? null, isAdmin: isPrivileged(ctx) });
  const target = hostTarget(data.target);
  if (data.kind === "remote" && target) await assertNotBastion(policy, host.name, target);
  await assertPortFree(ctx, data);
  const engine = getEngine();
  // Admins set the policy, so their own requests need nobody's approval.
  const approval = policy.approval && !isPrivileged(ctx);
  const status = approval ? "pending_approval" : "starting";
  const waiting = `${host.name} needs approval: waiting for a team owner or an admin`;

  const row: Prisma.TunnelUncheckedCreateInput = {
    kind: data.kind,
    hostId: data.hostId,
    ownerId,
    name: data.name ?? null,
    listenAddress: data.listen?.address ?? null,
    listenPort: data.listen?.port ?? null,
    targetHost: target?.host ?? null,
    targetPort: target?.port ?? null,
    targetClient: !!data.target && "client" in data.target,
    webScheme: data.web?.scheme ?? null,
    webHostHeader: data.web?.hostHeader ?? null,
    webInsecureTls: data.web?.insecureTls ?? false,
    allowedSources: JSON.stringify(allowedSources),
    teamId: data.teamId,
    ttlMinutes: data.ttlMinutes,
    requestReason: data.reason ?? null,
    idleMinutes: data.idleMinutes ?? policy.idleMinutes ?? null,
    expiresAt: new Date(Date.now() + data.ttlMinutes * 60_000),
    pendingUntil: approval ? approvalDeadline() : null,
    status,
    statusReason: approval ? waiting : null,
    events: { create: { status, reason: approval ? waiting : "requested" } },
  };
  const details = {
    name: data.name ?? null,
    kind: data.kind,
    listen: data.listen,
    target: data.target ?? null,
    ttlMinutes: data.ttlMinutes,
    idleMinutes: row.idleMinutes,
    allowedSources,
    teamId: data.teamId,
    web: data.web,
    reason: data.reason ?? null,
    approvalRequired: approval,
    ...(reopenedFrom ? { reopenedFrom } : {}),
  };
  const tunnel = await audited(ctx, async (tx) => {
    if (!isPrivileged(ctx)) await assertWithinLimits(tx, { ownerId, host, policy, pending: approval });
    if (data.name) await assertNameFree(tx, ownerId, data.name);
    let created = await tx.tunnel.create({ data: row });
    if (data.web) {
      const webSlug = data.name ?? created.id;
      await assertAppHostFree(tx, webSlug);
      created = await tx.tunnel.update({ where: { id: created.id }, data: { webSlug } });
    }
    return { result: created, audit: { action: "tunnel.requested", hostId: created.hostId, tunnelId: created.id, details } };
  });
  const audit = { hostId: tunnel.hostId, tunnelId: tunnel.id };
  if (approval) {
    await notifyApprovers(tunnel, "tunnel");
    return getTunnel({ ctx, input: { id: tunnel.id } });
  }
  try {
    await engine.open(tunnel.id);
  } catch (error) {
    // The request cannot work as asked: leave nothing behind, say why.
    await recordAudit(ctx, { action: "tunnel.failed", ...audit, details: { reason: messageOf(error) } }, (tx) =>
      tx.tunnel.delete({ where: { id: tunnel.id } }),
    );
    if (isTunnelOpenError(error)) throw new ApiError({ code: "conflict", field: "listen.port", message: error.message });
    throw error;
  }
  return getTunnel({ ctx, input: { id: tunnel.id } });
}

/** One page of the tunnels `where` selects, by creation time; `nextCursor` is null on the last page. */
export async function listTunnelsWhere(ctx: Ctx, where: Prisma.TunnelWhereInput, order: "asc" | "desc", { cursor, limit }: PageQuery) {
  const beyond = order === "desc" ? "lt" : "gt";
  const after: Prisma.TunnelWhereInput = cursor ? { OR: [{ createdAt: { [beyond]: cursor.at } }, { createdAt: cursor.at, id: { [beyond]: cursor.id } }] } : {};
  const rows = await getPrisma().tunnel.findMany({
    where: { AND: [where, after] },
    include: tunnelInclude,
    orderBy: [{ createdAt: order }, { id: order }],
    take: limit + 1,
  });
  const shown = rows.slice(0, limit);
  const hostsSeen = await visibleHostIds(
    ctx,
    shown.map((tunnel) => tunnel.hostId),
  );
  return {
    tunnels: shown.map((tunnel) => serializeTunnel(tunnel, hostsSeen.has(tunnel.hostId))),
    nextCursor: rows.length > limit ? encodeCursor(shown.at(-1)!) : null,
  };
}

/** How long a failed tunnel stays on the default list, with its reason, so that its owner sees what happened. */
const FAILED_SHOWN_MS = 24 * 60 * 60_000;
/** Failed tunnels still on the default list. */
export const justFailed = (): Prisma.TunnelWhereInput => ({ status: "failed", closedAt: { gte: new Date(Date.now() - FAILED_SHOWN_MS) } });
const inPlayOrJustFailed = (): Prisma.TunnelWhereInput => ({ OR: [{ status: { in: RESERVING_STATUSES } }, justFailed()] });

/** Open ones (with requests still waiting for approval, and those that failed in the last day) unless `all`, newest first, a page at a time.
 *  A `name` finds the caller's own tunnel in play of that name (names are
 *  the owner's; nobody else's are looked up, admins' included). */
export async function listTunnels({ ctx, input }: { ctx: Ctx; input: ListTunnelsQuery }) {
  const { status, name, ...page } = input;
  if (name) return listTunnelsWhere(ctx, { ownerId: ownerOf(ctx), name, status: { in: RESERVING_STATUSES } }, "desc", page);
  return listTunnelsWhere(ctx, status === "all" ? listedFor(ctx) : { AND: [listedFor(ctx), inPlayOrJustFailed()] }, "desc", page);
}

export async function findVisible(ctx: Ctx, id: string) {
  const tunnel = await getPrisma().tunnel.findUnique({ where: { id }, include: tunnelInclude });
  // Someone else's tunnel is as unknown as a missing one: no existence oracle.
  if (!tunnel || !(await mayView(ctx, tunnel))) throw new ApiError({ code: "not_found", message: `no tunnel with id ${id}` });
  return tunnel;
}

/** The tunnel as it is now, for a caller already authorised (an approver
 *  sees the outcome of their decision, though it no longer waits on them). */
export async function tunnelDto(ctx: Ctx, id: string) {
  return serializeFor(ctx, await getPrisma().tunnel.findUniqueOrThrow({ where: { id }, include: tunnelInclude }));
}

export async function getTunnel({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  return serializeFor(ctx, await findVisible(ctx, input.id));
}

/** A connection's record as the API shows it. */
export const toConnectionDto = (c: TunnelConnection) => ({
  id: c.id,
  source: c.source,
  destination: c.destination,
  bytesIn: Number(c.bytesIn),
  bytesOut: Number(c.bytesOut),
  openedAt: c.openedAt.toISOString(),
  closedAt: c.closedAt?.toISOString() ?? null,
  error: c.error,
});
export type ConnectionDto = ReturnType<typeof toConnectionDto>;

export async function getTunnelHistory({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const tunnel = await findVisible(ctx, input.id);
  const prisma = getPrisma();
  const [events, connections] = await Promise.all([
    prisma.tunnelEvent.findMany({ where: { tunnelId: tunnel.id }, orderBy: { at: "asc" }, take: 500 }),
    prisma.tunnelConnection.findMany({ where: { tunnelId: tunnel.id }, orderBy: { openedAt: "desc" }, take: 200 }),
  ]);
  return {
    events: events.map((event) => ({ id: event.id, status: event.status, reason: event.reason, at: event.at.toISOString() })),
    connections: connections.map(toConnectionDto),
  };
}

export async function closeTunnel({ ctx, input }: { ctx: Ctx; input: { id: string } & OptionalReason }) {
  const tunnel = await findVisible(ctx, input.id);
  assertOwnerOrAdmin(ctx, tunnel, "close it");
  const { reason } = input;
  const because = `${reason ? `: ${reason}` : ""}`;
  if (isOpen(tunnel.status)) {
    await closeOpenTunnel(ctx, tunnel.id, { to: "closed", reason: `closed by ${actorName(ctx)}${because}` });
  } else if (tunnel.status === "pending_approval") {
    await endRequest(ctx, tunnel, { to: "closed", reason: `request withdrawn by ${actorName(ctx)}${because}` });
  }
  return getTunnel({ ctx, input: { id: tunnel.id } });
}

const approvalDeadline = () => new Date(Date.now() + getConfig().approvalTimeoutSeconds * 1000);

/** Adds `ttlMinutes` to an open tunnel's time, within its host's maximum;
 *  on a host that needs approval, asks for it instead. */
export async function extendTunnel({ ctx, input }: { ctx: Ctx; input: { id: string } & ExtendTunnel }) {
  const tunnel = await findVisible(ctx, input.id);
  assertOwnerOrAdmin(ctx, tunnel, "extend it");
  const { ttlMinutes } = input;
  if (!isOpen(tunnel.status)) throw new ApiError({ code: "conflict", message: `the tunnel is ${tunnel.status}: only open tunnels can be extended` });
  const host = await getPrisma().host.findUniqueOrThrow({ where: { id: tunnel.hostId } });
  const policy = hostPolicy(host);
  // Everything a new request is checked against: the policy may have changed since it was granted.
  const owner = await getPrisma().user.findUniqueOrThrow({ where: { id: tunnel.ownerId }, select: { role: true } });
  const refusal = grantedTunnelRefusal({ ...tunnel, owner }, policy, host.name);
  if (refusal)
    throw new ApiError({ code: "forbidden", field: refusal.field, message: `${host.name}'s policy no longer allows this tunnel: ${refusal.message}` });
  if (ttlMinutes > policy.maxTtlMinutes) {
    throw new ApiError({ code: "unprocessable_entity", field: "ttlMinutes", message: `must be at most ${policy.maxTtlMinutes} minutes on ${host.name}` });
  }
  if (policy.approval && !isPrivileged(ctx)) {
    const asked = await audited(ctx, async (tx) => ({
      result: await tx.tunnel.update({ where: { id: tunnel.id }, data: { extensionMinutes: ttlMinutes, extensionUntil: approvalDeadline() } }),
      audit: { action: "tunnel.extension_requested", hostId: tunnel.hostId, tunnelId: tunnel.id, details: { ttlMinutes } },
    }));
    await notifyApprovers(asked, "extension");
  } else {
    await applyExtension(ctx, tunnel, ttlMinutes);
  }
  return getTunnel({ ctx, input: { id: tunnel.id } });
}

/** Adds `ttlMinutes` to the tunnel's time left (within its host's maximum), clears any extension request and says so
 *  in its history; pages showing the tunnel reload it (a status event does not carry the expiry). */
export async function applyExtension(
  ctx: Ctx,
  tunnel: { id: string; hostId: string; expiresAt: Date; status: TunnelStatus; ownerId: string; teamId: string | null },
  ttlMinutes: number,
  details: Record<string, unknown> = {},
) {
  const host = await getPrisma().host.findUniqueOrThrow({ where: { id: tunnel.hostId } });
  const { maxTtlMinutes } = hostPolicy(host);
  const expiresAt = extendedExpiry(tunnel.expiresAt, ttlMinutes, maxTtlMinutes);
  // Less than a minute more: it is at its host's maximum already.
  if (expiresAt.getTime() - tunnel.expiresAt.getTime() < 60_000) {
    throw new ApiError({
      code: "conflict",
      field: "ttlMinutes",
      message: `it already runs as long as ${host.name} allows (${maxTtlMinutes} minutes from now at most)`,
    });
  }
  const added = Math.round((expiresAt.getTime() - tunnel.expiresAt.getTime()) / 60_000);
  const extended = { from: tunnel.expiresAt.toISOString(), to: expiresAt.toISOString(), addedMinutes: added, ...details };
  await recordAudit(ctx, { action: "tunnel.extended", hostId: tunnel.hostId, tunnelId: tunnel.id, details: extended }, async (tx) => {
    await tx.tunnel.update({ where: { id: tunnel.id }, data: { expiresAt, extensionMinutes: null, extensionUntil: null } });
    await tx.tunnelEvent.create({ data: { tunnelId: tunnel.id, status: tunnel.status, reason: `extended by ${actorName(ctx)}: ${added} more minutes` } });
  });
  getEngine().extend(tunnel.id, expiresAt);
  await announceTunnelChange(tunnel.id);
  publish(tunnelRooms(tunnel), "tunnel:changed", { tunnelId: tunnel.id });
}
