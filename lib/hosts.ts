// The host inventory: SSH servers Warren tunnels through.
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { ApiError } from "@/lib/api/api-error";
import { audited, recordAudit, type AuditInput } from "@/lib/audit/audit-log";
import { actorId, type Ctx } from "@/lib/context";
import { open, seal } from "@/lib/crypto/secret-box";
import { getPrisma } from "@/lib/db/prisma";
import type { Host, Prisma } from "@/lib/generated/prisma/client";
import { assertNodesToPin, hostNodes } from "@/lib/host-nodes";
import { HOST_POLICY_COLUMNS, hostPolicy, policyColumns, withoutPolicyColumns } from "@/lib/tunnels/host-policy";
import { connectSsh, SshFailure, type SshStep, type SshTarget } from "@/lib/ssh/ssh-connect";
import { generateKeyPair, readPrivateKey } from "@/lib/ssh/ssh-keys";
import { OPEN_STATUSES } from "@/lib/tunnels/tunnel-status";
import { announceTunnelChange } from "@/lib/tunnels/announce-tunnel-change";
import { findEngine } from "@/lib/tunnels/engine-port";
import { requireAdmin } from "@/lib/auth/require-admin";
import { assertAssignable, canManageHost, hostVisibleWhere, isPrivileged, teamRoles } from "@/lib/teams/team-access";
import { enforceAccess } from "@/lib/tunnels/sweeps";
import { reopenAfterKeyTrusted } from "@/lib/tunnels/reopen-after-trust";
import { reapplyHostPolicy } from "@/lib/tunnels/reapply-host-policy";
import type { CreateHostInput, UpdateHostInput } from "@/lib/validation/hosts";

/** Everything about a host that may leave the server: never the key or passphrase. */
const publicHostSelect = {
  id: true,
  name: true,
  address: true,
  port: true,
  username: true,
  publicKey: true,
  keyGenerated: true,
  hostKeyFingerprint: true,
  hostKeyStatus: true,
  offeredFingerprint: true,
  ...HOST_POLICY_COLUMNS,
  nodes: true,
  visibleToAll: true,
  teams: { select: { teamId: true } },
  // Open tunnels through it: a host that carries any cannot be deleted, and the page says so before anyone tries.
  _count: { select: { tunnels: { where: { status: { in: OPEN_STATUSES } } } } },
  createdAt: true,
  updatedAt: true,
} as const;

type PublicHostRow = Prisma.HostGetPayload<{ select: typeof publicHostSelect }>;

/** A host as the API shows it: its policy as one object. */
function toHostDto(row: PublicHostRow) {
  const { teams, _count, nodes, ...host } = withoutPolicyColumns(row);
  return {
    ...host,
    nodes: hostNodes(nodes),
    teamIds: teams.map((team) => team.teamId),
    openTunnels: _count.tunnels,
    policy: hostPolicy(row),
  };
}

export const PRIVATE_KEY = "host.privateKey";
export const PASSPHRASE = "host.passphrase";

/** The key material to store for an uploaded or generated key. */
function credential(input: { privateKey?: string; passphrase?: string; generateKey?: boolean }, name: string) {
  if (input.generateKey) {
    const pair = generateKeyPair(`warren@${name}`);
    return { privateKeyEnc: seal(pair.privateKey, PRIVATE_KEY), passphraseEnc: null, publicKey: pair.publicKey, keyGenerated: true };
  }
  const { publicKey } = readPrivateKey(input.privateKey!, input.passphrase || undefined);
  return {
    privateKeyEnc: seal(input.privateKey!, PRIVATE_KEY),
    passphraseEnc: input.passphrase ? seal(input.passphrase, PASSPHRASE) : null,
    publicKey,
    keyGenerated: false,
  };
}

function nameTaken(error: unknown, name: string | undefined): never {
  if (isUniqueViolation(error)) {
    throw new ApiError({ code: "conflict", field: "name", message: `a host named ${name} already exists` });
  }
  throw error;
}

async function rolesOf(ctx: Ctx) {
  const userId = actorId(ctx);
  return userId ? teamRoles(userId) : new Map();
}

/** What a team owner may change on a host all of whose teams they own:
 *  which of their teams see it (never everyone: assertAssignable). Its
 *  address, credentials, policy and key trust are admins' (so a host test
 *  only ever probes an address an admin chose). */
const OWNER_CHANGES = new Set(["teamIds", "visibleToAll"]);

function assertOwnerMayChange(ctx: Ctx, changes: Record<string, unknown>) {
  if (isPrivileged(ctx)) return;
  const field = Object.keys(changes).find((key) => changes[key] !== undefined && !OWNER_CHANGES.has(key));
  if (field)
    throw new ApiError({
      code: "forbidden",
      field,
      message: `only admins can change a host's ${FIELD_NAMES[field] ?? field}; team owners choose which of their teams see it`,
    });
}

const FIELD_NAMES: Record<string, string> = {
  privateKey: "key",
  passphrase: "key",
  generateKey: "key",
  hostKeyFingerprint: "trusted host key",
};

async function assertTeamsExist(teamIds: string[]) {
  const found = await getPrisma().team.findMany({ where: { id: { in: teamIds } }, select: { id: true } });
  const missing = teamIds.find((id) => !found.some((team) => team.id === id));
  if (missing) throw new ApiError({ code: "unprocessable_entity", field: "teamIds", message: `no team with id ${missing}` });
}

/** Where a new or changed host is visible, checked against what the caller may assign. */
async function assignment(
  ctx: Ctx,
  roles: Awaited<ReturnType<typeof rolesOf>>,
  input: { visibleToAll?: boolean; teamIds?: string[] },
  current?: { visibleToAll: boolean; teamIds: string[] },
) {
  const teamIds = input.teamIds ?? current?.teamIds ?? [];
  const visibleToAll = input.visibleToAll ?? (current && input.teamIds === undefined ? current.visibleToAll : teamIds.length === 0);
  assertAssignable(ctx, roles, { visibleToAll, teamIds });
  await assertTeamsExist(teamIds);
  return { visibleToAll, teamIds };
}

const teamLinks = (teamIds: string[]) => ({ create: teamIds.map((teamId) => ({ teamId })) });

export async function createHost({ ctx, input: data }: { ctx: Ctx; input: CreateHostInput }) {
  requireAdmin(ctx, "add hosts");
  const roles = await rolesOf(ctx);
  const { visibleToAll, teamIds } = await assignment(ctx, roles, data);
  const fingerprint = data.hostKeyFingerprint ?? null;
  const nodes = data.nodes ?? [];
  await assertNodesToPin(nodes);
  const key = credential(data, data.name);
  const host = await audited(ctx, async (tx) => {
    const created = await tx.host
      .create({
        data: {
          visibleToAll,
          teams: teamLinks(teamIds),
          name: data.name,
          address: data.address,
          port: data.port,
          username: data.username,
          ...key,
          hostKeyFingerprint: fingerprint,
          hostKeyStatus: fingerprint ? "trusted" : "unverified",
          ...policyColumns(data.policy ?? {}),
          nodes: JSON.stringify(nodes),
        },
        select: publicHostSelect,
      })
      .then(toHostDto);
    const details = {
      name: created.name,
      address: created.address,
      port: created.port,
      username: created.username,
      keyGenerated: created.keyGenerated,
      hostKeyFingerprint: fingerprint,
      policy: created.policy,
      nodes,
      visibleToAll,
      teamIds,
    };
    return { result: created, audit: { action: "host.created", hostId: created.id, details } };
  }).catch((error: unknown) => nameTaken(error, data.name));
  return getHost({ ctx, input: { id: host.id } });
}

/** Hosts the caller may use; `manageable` says which of them they may change. */
export async function listHosts({ ctx }: { ctx: Ctx }) {
  const roles = await rolesOf(ctx);
  const hosts = await getPrisma().host.findMany({ where: hostVisibleWhere(ctx), select: publicHostSelect, orderBy: { name: "asc" } });
  const carried = await getPrisma().tunnel.groupBy({
    by: ["hostId", "nodeName"],
    where: { hostId: { in: hosts.map((host) => host.id) }, status: { in: OPEN_STATUSES }, nodeName: { not: null } },
    _count: { _all: true },
    orderBy: { nodeName: "asc" },
  });
  return hosts.map(toHostDto).map((host) => ({
    ...host,
    manageable: canManageHost(ctx, roles, host),
    /** Which nodes carry its open tunnels now, and how many each. */
    carriers: carried.filter((group) => group.hostId === host.id).map((group) => ({ node: group.nodeName!, tunnels: group._count._all })),
  }));
}

/** A host the caller may not use is as unknown as a missing one. */
export async function getHost({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const host = await getPrisma().host.findFirst({ where: { id: input.id, ...hostVisibleWhere(ctx) }, select: publicHostSelect });
  if (!host) throw new ApiError({ code: "not_found", message: `no host with id ${input.id}` });
  const dto = toHostDto(host);
  return { ...dto, manageable: canManageHost(ctx, await rolesOf(ctx), dto) };
}

async function managedHost(ctx: Ctx, id: string, action: string) {
  const host = await getHost({ ctx, input: { id } });
  if (!host.manageable) throw new ApiError({ code: "forbidden", message: `only admins and owners of all its teams can ${action} ${host.name}` });
  return host;
}

export async function updateHost({ ctx, input }: { ctx: Ctx; input: { id: string; changes: UpdateHostInput } }) {
  const current = await managedHost(ctx, input.id, "change");
  const { changes } = input;
  assertOwnerMayChange(ctx, changes);
  const { privateKey, passphrase, generateKey, hostKeyFingerprint, policy, nodes, visibleToAll: _all, teamIds: _teams, ...plain } = changes;
  if (nodes) await assertNodesToPin(nodes);
  const reassigned = changes.visibleToAll !== undefined || changes.teamIds !== undefined;
  const assigned = reassigned ? await assignment(ctx, await rolesOf(ctx), changes, current) : undefined;
  const trust =
    hostKeyFingerprint === undefined
      ? {}
      : { hostKeyFingerprint, hostKeyStatus: hostKeyFingerprint ? ("trusted" as const) : ("unverified" as const), offeredFingerprint: null };
  const key = privateKey || generateKey ? credential({ privateKey, passphrase, generateKey }, plain.name ?? current.name) : {};
  // Which fields changed, never the key material itself.
  const changed = Object.keys(changes);
  const host = await audited(ctx, async (tx) => {
    const updated = await tx.host
      .update({
        where: { id: current.id },
        data: {
          ...plain,
          ...trust,
          ...key,
          ...policyColumns(policy ?? {}),
          ...(nodes ? { nodes: JSON.stringify(nodes) } : {}),
          ...(assigned ? { visibleToAll: assigned.visibleToAll, teams: { deleteMany: {}, ...teamLinks(assigned.teamIds) } } : {}),
        },
        select: publicHostSelect,
      })
      .then(toHostDto);
    const details = {
      name: updated.name,
      changed,
      newKey: Boolean(privateKey || generateKey),
      ...(policy ? { policy: updated.policy } : {}),
      ...(nodes ? { nodes } : {}),
      ...(assigned ?? {}),
    };
    const audit: AuditInput[] = [{ action: "host.updated", hostId: updated.id, details }];
    if (hostKeyFingerprint)
      audit.push({
        action: "host.key_trusted",
        hostId: updated.id,
        details: { name: updated.name, fingerprint: hostKeyFingerprint, previous: current.hostKeyFingerprint },
      });
    return { result: updated, audit };
  }).catch((error: unknown) => nameTaken(error, plain.name));
  if (assigned) await enforceAccess(ctx, { hostId: host.id, why: `${host.name} is no longer visible to them` });
  if (policy) await reapplyHostPolicy(ctx, host.id);
  if (nodes) await moveToPinnedNodes(host.id);
  if (hostKeyFingerprint) await reopenAfterKeyTrusted(ctx, host);
  return getHost({ ctx, input: { id: host.id } });
}

/** A host pinned to other nodes: its open tunnels move to them (its node and every other hear of it). */
async function moveToPinnedNodes(hostId: string) {
  const rows = await getPrisma().tunnel.findMany({ where: { hostId, status: { in: OPEN_STATUSES } }, select: { id: true } });
  const ids = rows.map((tunnel) => tunnel.id);
  for (const id of ids) await announceTunnelChange(id);
  await findEngine()?.reconcile(ids);
}

export async function deleteHost({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  const host = await managedHost(ctx, input.id, "delete");
  requireAdmin(ctx, "delete hosts");
  const prisma = getPrisma();
  const open = await prisma.tunnel.count({ where: { hostId: host.id, status: { in: OPEN_STATUSES } } });
  if (open > 0) {
    throw new ApiError({ code: "conflict", message: `${host.name} still carries ${open} open tunnel${open === 1 ? "" : "s"}: close them first` });
  }
  await audited(ctx, async (tx) => {
    await tx.tunnel.deleteMany({ where: { hostId: host.id } });
    await tx.host.delete({ where: { id: host.id } });
    return { result: undefined, audit: { action: "host.deleted", hostId: host.id, details: { name: host.name, address: host.address } } };
  });
  return host;
}

/** What the engine needs to connect: decrypted here, on the server, only when needed. */
export function sshTarget(host: Host): SshTarget {
  return {
    name: host.name,
    address: host.address,
    port: host.port,
    username: host.username,
    privateKey: open(host.privateKeyEnc, PRIVATE_KEY),
    passphrase: host.passphraseEnc ? open(host.passphraseEnc, PASSPHRASE) : undefined,
    expectedFingerprint: host.hostKeyStatus === "trusted" ? host.hostKeyFingerprint : null,
  };
}

type HostKeyRecord = Pick<Host, "id" | "name" | "hostKeyStatus" | "hostKeyFingerprint">;

/** After a connection: trust a first-seen key, or flag a changed one. */
export async function recordHostKey(ctx: Ctx, host: HostKeyRecord, outcome: { fingerprint?: string; changedTo?: string }) {
  if (outcome.changedTo) {
    const offered = outcome.changedTo;
    await recordAudit(ctx, { action: "host.key_changed", hostId: host.id, details: { name: host.name, expected: host.hostKeyFingerprint, offered } }, (tx) =>
      tx.host.update({ where: { id: host.id }, data: { hostKeyStatus: "changed", offeredFingerprint: offered } }),
    );
  } else if (outcome.fingerprint && host.hostKeyStatus === "unverified") {
    const fingerprint = outcome.fingerprint;
    await recordAudit(ctx, { action: "host.key_trusted", hostId: host.id, details: { name: host.name, fingerprint, firstUse: true } }, (tx) =>
      tx.host.update({ where: { id: host.id }, data: { hostKeyStatus: "trusted", hostKeyFingerprint: fingerprint } }),
    );
  }
}

/** A connection not even tried, because the host's key changed and nobody trusted the new one. */
export async function refuseChangedHostKey(ctx: Ctx, host: Pick<Host, "id" | "name" | "offeredFingerprint">): Promise<string> {
  await recordAudit(ctx, { action: "host.key_refused", hostId: host.id, details: { name: host.name, offered: host.offeredFingerprint } });
  return `host key for ${host.name} changed to ${host.offeredFingerprint}: refused until an admin trusts it`;
}

export type HostCheck = { step: SshStep | "forwarding"; ok: boolean; message: string };

/** The host key step passed: the key recorded now (first use), or the one pinned. */
const hostKeyCheck = (host: Pick<Host, "hostKeyStatus">, fingerprint: string): HostCheck => ({
  step: "host-key",
  ok: true,
  message: host.hostKeyStatus === "unverified" ? `recorded ${fingerprint} on first use` : `matches ${fingerprint}`,
});

/** Tries the host step by step: network, SSH handshake and host key,
 *  authentication, and whether its sshd allows TCP forwarding. */
export async function testHost({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  await managedHost(ctx, input.id, "test");
  const host = await getPrisma().host.findUniqueOrThrow({ where: { id: input.id } });
  if (host.hostKeyStatus === "changed") {
    return { ok: false, checks: [{ step: "host-key", ok: false, message: await refuseChangedHostKey(ctx, host) }] as HostCheck[] };
  }
  const steps: SshStep[] = ["network", "handshake", "host-key", "authentication"];
  let connection: Awaited<ReturnType<typeof connectSsh>>;
  try {
    connection = await connectSsh(sshTarget(host), { readyTimeoutMs: 10_000 });
  } catch (error) {
    if (!(error instanceof SshFailure)) throw error;
    // Past the host key (authentication failed), the key it checked is recorded on first use like any other.
    const seen = error.step === "authentication" ? error.offeredFingerprint : undefined;
    await recordHostKey(ctx, host, error.step === "host-key" ? { changedTo: error.offeredFingerprint } : { fingerprint: seen });
    const failedAt = steps.indexOf(error.step);
    const passed = (step: SshStep) => (step === "host-key" && seen ? hostKeyCheck(host, seen) : { step, ok: true, message: "ok" });
    const checks: HostCheck[] = steps.slice(0, failedAt).map(passed);
    return { ok: false, checks: [...checks, { step: error.step, ok: false, message: error.message }] };
  }
  const { client, fingerprint } = connection;
  await recordHostKey(ctx, host, { fingerprint });
  const forwarding = await probeForwarding(client, host.name);
  client.end();
  const checks: HostCheck[] = [
    { step: "network", ok: true, message: `reached ${host.address}:${host.port}` },
    { step: "handshake", ok: true, message: "SSH handshake completed" },
    hostKeyCheck(host, fingerprint),
    { step: "authentication", ok: true, message: `signed in as ${host.username}` },
    forwarding,
  ];
  const ok = checks.every((check) => check.ok);
  // A passed test is what the first-run checklist's "test it" step asks for.
  if (ok) await getPrisma().host.update({ where: { id: host.id }, data: { testedAt: new Date() } });
  return { ok, checks };
}

// Opening a direct-tcpip channel to the host's own loopback: "prohibited"
// means its sshd forbids forwarding; a refused connect still proves it allows it.
function probeForwarding(client: import("ssh2").Client, name: string): Promise<HostCheck> {
  return new Promise((resolve) => {
    client.forwardOut("127.0.0.1", 0, "127.0.0.1", 22, (error, channel) => {
      if (!error) {
        channel.close();
        return resolve({ step: "forwarding", ok: true, message: "TCP forwarding is allowed" });
      }
      const prohibited = (error as Error & { reason?: number }).reason === 1 || /prohibited/i.test(error.message);
      resolve(
        prohibited
          ? { step: "forwarding", ok: false, message: `${name}'s sshd does not allow TCP forwarding (AllowTcpForwarding)` }
          : { step: "forwarding", ok: true, message: "TCP forwarding is allowed" },
      );
    });
  });
}
