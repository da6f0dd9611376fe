// Signing a laptop in from a terminal: OAuth's device authorization grant
// (RFC 8628). `warren login` asks for a code (startDeviceAuthorization), shows
// the person the user code and /device, and polls (pollDeviceToken) while
// they approve or deny it there, signed in (approve/denyDeviceRequest). The
// approval issues a device token, audited with it; the device collects it
// once. Codes last ten minutes; starting sign-ins and trying codes are
// limited per source (and codes per person too), polling by `slow_down`.
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { hkdfSync, randomBytes } from "node:crypto";
import { ApiError } from "@/lib/api/api-error";
import { apiTokenSelect, hashApiToken, newApiToken, revokeInTransaction } from "@/lib/auth/api-tokens";
import { serializeDevice } from "@/lib/auth/devices";
import { RateLimiter } from "@/lib/auth/rate-limit";
import { sourceKey } from "@/lib/auth/sign-in-limits";
import { formatUserCode, newUserCode } from "@/lib/auth/user-code";
import { audited } from "@/lib/audit/audit-log";
import { getConfig } from "@/lib/config";
import { systemCtx, type Ctx } from "@/lib/context";
import { open, seal } from "@/lib/crypto/secret-box";
import { getPrisma } from "@/lib/db/prisma";
import type { DeviceAuthorizationStatus } from "@/lib/generated/prisma/enums";
import { processGlobals } from "@/lib/process-globals";

const CODE_LIFETIME_MS = 10 * 60_000;
/** Seconds between polls, as RFC 8628 suggests; each `slow_down` adds SLOW_DOWN_STEP. */
export const POLL_INTERVAL_SECONDS = 5;
const SLOW_DOWN_STEP = 5;
const MAX_INTERVAL_SECONDS = 60;
/** A poll this much early still counts as on time: the device's clock and the network jitter. */
const POLL_TOLERANCE_MS = 500;
/** An approval close to the code's end leaves the device at least this long to collect its token. */
const COLLECT_GRACE_MS = 60_000;
/** Finished and expired requests are kept this long, so a late poll or a typed code gets a precise answer. */
const KEPT_AFTER_EXPIRY_MS = 60 * 60_000;
/** Sign-ins waiting at once, over all sources: past this, new ones are refused until some end. */
const MAX_WAITING = 1_000;
const LIMIT_WINDOW_MS = 15 * 60_000;
const SEAL_PURPOSE = "device-token";

processGlobals.warrenDeviceLimits ??= {
  started: new RateLimiter(30, LIMIT_WINDOW_MS),
  wrongCodesFromSource: new RateLimiter(10, LIMIT_WINDOW_MS),
  wrongCodesByUser: new RateLimiter(10, LIMIT_WINDOW_MS),
};
const limits = processGlobals.warrenDeviceLimits;

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));
/** Who acts for a device that is not signed in yet: the system, at the device's address. */
export const deviceCtx = (ip: string | null | undefined): Ctx => ({ ...systemCtx("device"), ip });

/** The key the device's token is sealed under: only the device code gives it, and the database keeps only that code's hash. */
function sealingKey(deviceCode: string): Buffer {
  return Buffer.from(hkdfSync("sha256", deviceCode, "", "warren device token", 32));
}

export type DeviceCodeAnswer = {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
};

/** A device asks to sign in: its codes, where the person approves it, how often to poll. Not audited: nothing is granted yet. */
export async function startDeviceAuthorization({ ctx, input }: { ctx: Ctx; input: { deviceName: string } }): Promise<DeviceCodeAnswer> {
  const source = sourceKey(ctx.ip ?? null);
  const wait = limits.started.retryAfter(source);
  if (wait > 0) {
    throw new ApiError({ code: "rate_limited", message: `too many sign-ins started from your address: try again in ${minutes(wait)} minutes` });
  }
  limits.started.fail(source);
  const prisma = getPrisma();
  const now = new Date();
  const waiting = await prisma.deviceAuthorization.count({ where: { status: "pending", expiresAt: { gt: now } } });
  if (waiting >= MAX_WAITING) {
    throw new ApiError({ code: "rate_limited", message: "too many sign-ins are waiting for approval: try again in a few minutes" });
  }
  const deviceCode = randomBytes(32).toString("base64url");
  const token = newApiToken();
  for (let attempt = 1; ; attempt++) {
    const userCode = newUserCode();
    try {
      await prisma.deviceAuthorization.create({
        data: {
          deviceCodeHash: hashApiToken(deviceCode),
          userCode,
          deviceName: input.deviceName,
          ip: ctx.ip ?? null,
          interval: POLL_INTERVAL_SECONDS,
          expiresAt: new Date(now.getTime() + CODE_LIFETIME_MS),
          tokenHash: token.hash,
          tokenPrefix: token.prefix,
          tokenSealed: seal(token.token, SEAL_PURPOSE, sealingKey(deviceCode)),
        },
      });
      const verification = `${getConfig().publicUrl}/device`;
      return {
        device_code: deviceCode,
        user_code: formatUserCode(userCode),
        verification_uri: verification,
        verification_uri_complete: `${verification}?code=${formatUserCode(userCode)}`,
        expires_in: CODE_LIFETIME_MS / 1000,
        interval: POLL_INTERVAL_SECONDS,
      };
    } catch (error) {
      // Another request holds the same user code (one in 25 billion): draw again.
      if (!isUniqueViolation(error) || attempt >= 5) throw error;
    }
  }
}

/** A sign-in as the person deciding it sees it. `expired`: nobody decided in time. */
export type DeviceRequestView = {
  userCode: string;
  deviceName: string;
  ip: string | null;
  createdAt: Date;
  expiresAt: Date;
  status: "pending" | "approved" | "denied" | "expired";
};

type Authorization = {
  id: string;
  userCode: string;
  deviceName: string;
  ip: string | null;
  createdAt: Date;
  expiresAt: Date;
  status: DeviceAuthorizationStatus;
  tokenHash: string;
  tokenPrefix: string;
};

function viewOf(row: Authorization, now = Date.now()): DeviceRequestView {
  const status = row.status === "collected" ? "approved" : row.status === "pending" && row.expiresAt.getTime() <= now ? "expired" : row.status;
  return { userCode: formatUserCode(row.userCode), deviceName: row.deviceName, ip: row.ip, createdAt: row.createdAt, expiresAt: row.expiresAt, status };
}

function personOf(ctx: Ctx): { id: string; email: string } {
  if (ctx.actor.type !== "user") throw new ApiError({ code: "forbidden", message: "only a signed-in person decides a device's sign-in" });
  return { id: ctx.actor.id, email: ctx.actor.email };
}

/** The request a typed code names. A code that names none counts against
 *  the source and the person (counted before the lookup, so concurrent
 *  guesses cannot all pass the limit first); a right one is given back. */
async function findByUserCode(ctx: Ctx, userCode: string): Promise<Authorization> {
  const keys = { source: sourceKey(ctx.ip ?? null), user: personOf(ctx).id };
  const wait = Math.max(limits.wrongCodesFromSource.retryAfter(keys.source), limits.wrongCodesByUser.retryAfter(keys.user));
  if (wait > 0) throw new ApiError({ code: "rate_limited", message: `too many wrong codes: try again in ${minutes(wait)} minutes` });
  limits.wrongCodesFromSource.fail(keys.source);
  limits.wrongCodesByUser.fail(keys.user);
  const row = await getPrisma().deviceAuthorization.findUnique({ where: { userCode } });
  if (!row) {
    throw new ApiError({
      code: "not_found",
      field: "code",
      message: `no sign-in is waiting with code ${formatUserCode(userCode)}: check the code your device shows, or run \`warren login\` again`,
    });
  }
  limits.wrongCodesFromSource.giveBack(keys.source);
  limits.wrongCodesByUser.giveBack(keys.user);
  return row;
}

/** The sign-in a person typed the code of, to decide it. */
export async function findDeviceRequest({ ctx, input }: { ctx: Ctx; input: { code: string } }): Promise<DeviceRequestView> {
  return viewOf(await findByUserCode(ctx, input.code));
}

/** Only a request still waiting, and in time, may be decided. */
function assertDecidable(row: Authorization, now: number) {
  const view = viewOf(row, now);
  if (view.status === "expired") {
    throw new ApiError({ code: "conflict", message: `code ${view.userCode} expired before anyone approved it: run \`warren login\` again on the device` });
  }
  if (view.status !== "pending") throw new ApiError({ code: "conflict", message: `the sign-in with code ${view.userCode} was already ${view.status}` });
}

const taken = (row: Authorization) =>
  new ApiError({ code: "conflict", message: `the sign-in with code ${formatUserCode(row.userCode)} was decided meanwhile` });

/** The person approves: the device's token is issued to them, named after
 *  the device and valid WARREN_DEVICE_TOKEN_DAYS, and audited with it. */
export async function approveDeviceRequest({ ctx, input }: { ctx: Ctx; input: { code: string } }) {
  const person = personOf(ctx);
  const row = await findByUserCode(ctx, input.code);
  const now = new Date();
  assertDecidable(row, now.getTime());
  const expiresAt = new Date(now.getTime() + getConfig().deviceTokenDays * 24 * 60 * 60_000);
  const collectBy = new Date(Math.max(row.expiresAt.getTime(), now.getTime() + COLLECT_GRACE_MS));
  const token = await audited(ctx, async (tx) => {
    // Compare-and-set first: of two approvals racing, the second changes nothing and creates nothing.
    const { count } = await tx.deviceAuthorization.updateMany({
      where: { id: row.id, status: "pending", expiresAt: { gt: now } },
      data: { status: "approved", userId: person.id, decidedAt: now, expiresAt: collectBy },
    });
    if (count === 0) throw taken(row);
    const created = await tx.apiToken.create({
      data: { userId: person.id, kind: "device", scope: "tunnels", name: row.deviceName, prefix: row.tokenPrefix, hash: row.tokenHash, expiresAt },
      select: apiTokenSelect,
    });
    await tx.deviceAuthorization.update({ where: { id: row.id }, data: { tokenId: created.id } });
    return {
      result: created,
      audit: {
        action: "device.approved",
        subjectId: created.id,
        details: { name: created.name, prefix: created.prefix, userId: person.id, requestedFrom: row.ip, expiresAt: expiresAt.toISOString() },
      },
    };
  });
  return { request: { ...viewOf(row), status: "approved" as const }, device: serializeDevice(token) };
}

/** The person denies: the device is told so on its next poll. */
export async function denyDeviceRequest({ ctx, input }: { ctx: Ctx; input: { code: string } }) {
  const person = personOf(ctx);
  const row = await findByUserCode(ctx, input.code);
  const now = new Date();
  assertDecidable(row, now.getTime());
  await audited(ctx, async (tx) => {
    const { count } = await tx.deviceAuthorization.updateMany({
      where: { id: row.id, status: "pending", expiresAt: { gt: now } },
      data: { status: "denied", userId: person.id, decidedAt: now, tokenSealed: null },
    });
    if (count === 0) throw taken(row);
    return { result: undefined, audit: { action: "device.denied", subjectId: row.id, details: { name: row.deviceName, requestedFrom: row.ip } } };
  });
  return { request: { ...viewOf(row), status: "denied" as const } };
}

export type DeviceTokenAnswer = {
  access_token: string;
  token_type: "Bearer";
  /** Seconds until the token expires. */
  expires_in: number;
  device: ReturnType<typeof serializeDevice>;
  user: { email: string };
};

const expired = (message: string) => new ApiError({ code: "expired_token", message });

/** The device polls with its device code: pending, slow down, denied,
 *  expired, or, once approved, its token, exactly once. */
export async function pollDeviceToken({ input }: { input: { device_code: string } }): Promise<DeviceTokenAnswer> {
  const prisma = getPrisma();
  const row = await prisma.deviceAuthorization.findUnique({
    where: { deviceCodeHash: hashApiToken(input.device_code) },
    include: { token: { select: { ...apiTokenSelect, user: { select: { email: true, disabled: true } } } } },
  });
  if (!row) throw expired("no such sign-in: it expired, or was never started; run `warren login` again");
  const now = Date.now();
  if (row.expiresAt.getTime() <= now) throw expired("the code expired before the sign-in was approved: run `warren login` again");
  if (row.status === "collected") throw expired("this sign-in already gave its token: run `warren login` again for another");
  if (row.lastPolledAt && now - row.lastPolledAt.getTime() < row.interval * 1000 - POLL_TOLERANCE_MS) {
    const interval = Math.min(row.interval + SLOW_DOWN_STEP, MAX_INTERVAL_SECONDS);
    await prisma.deviceAuthorization.update({ where: { id: row.id }, data: { lastPolledAt: new Date(now), interval } });
    throw new ApiError({ code: "slow_down", message: `polling too fast: wait ${interval} seconds between polls` });
  }
  await prisma.deviceAuthorization.update({ where: { id: row.id }, data: { lastPolledAt: new Date(now) } });
  if (row.status === "pending") {
    throw new ApiError({ code: "authorization_pending", message: `waiting for someone to approve code ${formatUserCode(row.userCode)}` });
  }
  if (row.status === "denied") throw new ApiError({ code: "access_denied", message: "the sign-in was denied" });
  const token = row.token;
  if (!token || !row.tokenSealed || token.revokedAt || token.user.disabled) {
    throw new ApiError({ code: "access_denied", message: "the device's token was revoked before it was collected" });
  }
  // Compare-and-set: of two polls racing, one gets the token, and the sealed copy is gone after it.
  const { count } = await prisma.deviceAuthorization.updateMany({
    where: { id: row.id, status: "approved" },
    data: { status: "collected", tokenSealed: null },
  });
  if (count === 0) throw expired("this sign-in already gave its token: run `warren login` again for another");
  const { user, ...record } = token;
  return {
    access_token: open(row.tokenSealed, SEAL_PURPOSE, sealingKey(input.device_code)),
    token_type: "Bearer",
    expires_in: Math.max(0, Math.floor(((record.expiresAt?.getTime() ?? now) - now) / 1000)),
    device: serializeDevice(record),
    user: { email: user.email },
  };
}

const sweepCtx = systemCtx("device-sweep");

/** A token approved but never collected is revoked when its code expires
 *  (nobody holds it); finished requests go an hour after they expire. */
export async function sweepDeviceAuthorizations(now = new Date()) {
  const prisma = getPrisma();
  const uncollected = await prisma.deviceAuthorization.findMany({
    where: { status: "approved", expiresAt: { lte: now } },
    select: { id: true, tokenId: true, userId: true },
  });
  for (const row of uncollected) {
    await audited(sweepCtx, async (tx) => {
      const { count } = await tx.deviceAuthorization.deleteMany({ where: { id: row.id, status: "approved" } });
      if (count === 0 || !row.tokenId || !row.userId) return { result: undefined, audit: [] };
      const { audit } = await revokeInTransaction(tx, row.tokenId, row.userId, { reason: "the device did not collect it in time" });
      return { result: undefined, audit };
    });
  }
  await prisma.deviceAuthorization.deleteMany({ where: { status: { not: "approved" }, expiresAt: { lte: new Date(now.getTime() - KEPT_AFTER_EXPIRY_MS) } } });
}
