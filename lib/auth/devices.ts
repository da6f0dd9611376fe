// The devices a person signed in with `warren login`: their device tokens,
// listed on the account page and with GET /api/v1/devices, and revoked there.
// A person sees and revokes their own; admins anyone's.
import { ApiError } from "@/lib/api/api-error";
import type { Authenticated } from "@/lib/auth/authenticate";
import { apiTokenSelect, revokeInTransaction } from "@/lib/auth/api-tokens";
import { audited } from "@/lib/audit/audit-log";
import { recheckLiveAccess } from "@/lib/tunnels/recheck-live-access";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";

type DeviceRecord = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
};

/** A device token as the API and the account page show it; never its secret. */
export function serializeDevice(record: DeviceRecord, now = Date.now()) {
  const status = record.revokedAt ? "revoked" : record.expiresAt && record.expiresAt.getTime() <= now ? "expired" : "active";
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    status,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: record.lastUsedIp,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  } as const;
}
export type DeviceView = ReturnType<typeof serializeDevice>;

const isAdmin = (ctx: Ctx) => ctx.actor.type === "system" || ctx.actor.role === "admin";
/** Whether the actor may see and revoke `userId`'s devices: their own, or anyone's for admins (and the CLI). */
const mayManage = (ctx: Ctx, userId: string) => isAdmin(ctx) || (ctx.actor.type === "user" && ctx.actor.id === userId);

/** A person's devices, newest first: the active ones, or all (expired and revoked too). Others' only for admins. */
export async function listDevices({ ctx, input }: { ctx: Ctx; input: { userId: string; status: "active" | "all" } }): Promise<DeviceView[]> {
  if (!mayManage(ctx, input.userId)) {
    throw new ApiError({ code: "forbidden", field: "userId", message: "only admins list other people's devices" });
  }
  const now = new Date();
  const active = input.status === "active" ? { revokedAt: null, expiresAt: { gt: now } } : {};
  const records = await getPrisma().apiToken.findMany({
    where: { userId: input.userId, kind: "device", ...active },
    select: apiTokenSelect,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  return records.map((record) => serializeDevice(record, now.getTime()));
}

/** Revokes a device token: its device is refused from its next request on, sockets within seconds. */
export async function revokeDevice({ ctx, input }: { ctx: Ctx; input: { id: string } }): Promise<DeviceView> {
  const prisma = getPrisma();
  const existing = await prisma.apiToken.findUnique({ where: { id: input.id }, select: { userId: true, kind: true, revokedAt: true } });
  // Another person's device is not there for a non-admin: the same answer as none at all.
  if (existing?.kind !== "device" || !mayManage(ctx, existing.userId)) {
    throw new ApiError({ code: "not_found", field: "id", message: `no device with id ${input.id}` });
  }
  if (existing.revokedAt) return serializeDevice(await prisma.apiToken.findUniqueOrThrow({ where: { id: input.id }, select: apiTokenSelect }));
  const revoked = await audited(ctx, (tx) => revokeInTransaction(tx, input.id, existing.userId));
  recheckLiveAccess(); // its `warren connect` connections end now
  return serializeDevice(revoked);
}

/** `warren logout`: the device token the request carries revokes itself. */
export async function revokeCurrentDevice({ ctx, via }: { ctx: Ctx; via: Authenticated }): Promise<DeviceView> {
  if (via.via !== "token" || via.token.kind !== "device") {
    throw new ApiError({ code: "bad_request", message: "this request carries no device token: DELETE /api/v1/devices/:id revokes any of your devices" });
  }
  return revokeDevice({ ctx, input: { id: via.token.id } });
}
