// The device flow against a real, migrated database (SQLite or PostgreSQL),
// in process: each decision is made once and audited with its change, the
// token is handed out exactly once, and the limits hold (the served client's
// view of the same is tests/integration/device-login.integration.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { checkApiToken, createApiToken } from "@/lib/auth/api-tokens";
import {
  approveDeviceRequest,
  deviceCtx,
  denyDeviceRequest,
  findDeviceRequest,
  pollDeviceToken,
  startDeviceAuthorization,
  sweepDeviceAuthorizations,
} from "@/lib/auth/device-flow";
import { listDevices, revokeCurrentDevice, revokeDevice } from "@/lib/auth/devices";
import { normalizeUserCode } from "@/lib/auth/user-code";
import { verifyAuditChain } from "@/lib/audit/audit-log";
import { systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { createUser } from "@/lib/users";
import { createApiTokenSchema } from "@/lib/validation/api-tokens";
import { useTestDatabase } from "@/tests/harness/test-database";

/** The token's holder, or null when it does not work. */
async function tokenHolder(token: string, ip: string | null = null) {
  const checked = await checkApiToken(token, ip);
  return "refused" in checked ? null : checked;
}

let db: Awaited<ReturnType<typeof useTestDatabase>>;
const cli = systemCtx("test");
let ada: Ctx;
let bob: Ctx;
let admin: Ctx;

beforeAll(async () => {
  db = await useTestDatabase();
  const make = async (email: string, role: "admin" | "user", ip: string): Promise<Ctx> => {
    const user = await createUser({ ctx: cli, input: { email, password: "correct horse battery", role } });
    return { actor: { type: "user", id: user.id, email, role }, ip };
  };
  ada = await make("ada@example.com", "user", "10.0.0.1");
  bob = await make("bob@example.com", "user", "10.0.0.2");
  admin = await make("root@example.com", "admin", "10.0.0.3");
});
afterAll(() => db.dispose());

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

let sources = 0;
/** A sign-in started from an address of its own, so the per-source limits of one test leave the others alone. */
async function start(deviceName = "ada-laptop") {
  const answer = await startDeviceAuthorization({ ctx: deviceCtx(`192.0.2.${++sources}`), input: { deviceName } });
  return { ...answer, code: normalizeUserCode(answer.user_code)! };
}

/** Lets the device poll again at once, as if its interval had passed. */
const intervalPassed = (code: string) => getPrisma().deviceAuthorization.update({ where: { userCode: code }, data: { lastPolledAt: null } });
const records = (action: string) => getPrisma().auditEvent.findMany({ where: { action }, orderBy: { seq: "asc" } });

describe("approving", () => {
  it("issues one device token, audited with it, that the device collects exactly once", async () => {
    const device = await start();
    expect(device).toMatchObject({ expires_in: 600, interval: 5, verification_uri: expect.stringMatching(/\/device$/) });
    expect(device.verification_uri_complete).toBe(`${device.verification_uri}?code=${device.user_code}`);
    expect((await rejection(pollDeviceToken({ input: { device_code: device.device_code } }))).code).toBe("authorization_pending");

    const seen = await findDeviceRequest({ ctx: ada, input: { code: device.code } });
    expect(seen).toMatchObject({ deviceName: "ada-laptop", ip: `192.0.2.${sources}`, status: "pending" });
    const { device: issued } = await approveDeviceRequest({ ctx: ada, input: { code: device.code } });
    expect(issued).toMatchObject({ name: "ada-laptop", status: "active", lastUsedAt: null });
    const days = (new Date(issued.expiresAt!).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const [approved] = (await records("device.approved")).filter((record) => record.subjectId === issued.id);
    expect(approved).toMatchObject({ actorEmail: "ada@example.com", actorIp: "10.0.0.1" });
    expect(JSON.parse(approved!.details)).toMatchObject({ name: "ada-laptop", requestedFrom: `192.0.2.${sources}` });

    await intervalPassed(device.code);
    const granted = await pollDeviceToken({ input: { device_code: device.device_code } });
    expect(granted).toMatchObject({ token_type: "Bearer", user: { email: "ada@example.com" }, device: { id: issued.id } });
    expect(granted.expires_in).toBeGreaterThan(29 * 86_400);
    const holder = await tokenHolder(granted.access_token, "198.51.100.7");
    expect(holder).toMatchObject({ token: { id: issued.id, kind: "device" }, user: { email: "ada@example.com" } });

    // Spent: the sealed copy is gone, and the code gives nothing more.
    const row = await getPrisma().deviceAuthorization.findUniqueOrThrow({ where: { userCode: device.code } });
    expect(row).toMatchObject({ status: "collected", tokenSealed: null, tokenId: issued.id });
    await intervalPassed(device.code);
    expect((await rejection(pollDeviceToken({ input: { device_code: device.device_code } }))).code).toBe("expired_token");
    expect((await rejection(approveDeviceRequest({ ctx: ada, input: { code: device.code } }))).message).toContain("already approved");
  });

  it("stores nothing that gives the token without the device code", async () => {
    const device = await start();
    await approveDeviceRequest({ ctx: ada, input: { code: device.code } });
    const row = await getPrisma().deviceAuthorization.findUniqueOrThrow({ where: { userCode: device.code } });
    expect(JSON.stringify(row)).not.toContain(device.device_code);
    const granted = await pollDeviceToken({ input: { device_code: device.device_code } });
    expect(JSON.stringify(row)).not.toContain(granted.access_token);
    expect(row.tokenSealed).toMatch(/^v1:/);
  });

  it("two approvals racing issue one token and one record; two polls racing collect it once", async () => {
    const device = await start("raced");
    const decisions = await Promise.allSettled([
      approveDeviceRequest({ ctx: ada, input: { code: device.code } }),
      approveDeviceRequest({ ctx: bob, input: { code: device.code } }),
    ]);
    expect(decisions.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    expect(await getPrisma().apiToken.count({ where: { name: "raced" } })).toBe(1);
    expect((await records("device.approved")).filter((record) => record.details.includes('"raced"'))).toHaveLength(1);

    const polls = await Promise.allSettled([1, 2, 3].map(() => pollDeviceToken({ input: { device_code: device.device_code } })));
    expect(polls.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
  });

  it("leaves the device at least a minute to collect an approval made at the last moment", async () => {
    const device = await start();
    await getPrisma().deviceAuthorization.update({ where: { userCode: device.code }, data: { expiresAt: new Date(Date.now() + 2_000) } });
    await approveDeviceRequest({ ctx: ada, input: { code: device.code } });
    const row = await getPrisma().deviceAuthorization.findUniqueOrThrow({ where: { userCode: device.code } });
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(55_000);
  });

  it("is a person's decision: no system actor approves", async () => {
    const device = await start();
    expect((await rejection(approveDeviceRequest({ ctx: cli, input: { code: device.code } }))).code).toBe("forbidden");
  });
});

describe("denying, expiring, polling too fast", () => {
  it("a denial is audited and the device told", async () => {
    const device = await start("stranger");
    await denyDeviceRequest({ ctx: bob, input: { code: device.code } });
    const [denied] = (await records("device.denied")).filter((record) => record.details.includes('"stranger"'));
    expect(denied).toMatchObject({ actorEmail: "bob@example.com" });
    const error = await rejection(pollDeviceToken({ input: { device_code: device.device_code } }));
    expect(error.code).toBe("access_denied");
    expect(error.status).toBe(403);
    expect(await getPrisma().apiToken.count({ where: { name: "stranger" } })).toBe(0);
    expect((await rejection(approveDeviceRequest({ ctx: ada, input: { code: device.code } }))).message).toContain("already denied");
  });

  it("an expired code can be neither collected nor decided", async () => {
    const device = await start();
    await getPrisma().deviceAuthorization.update({ where: { userCode: device.code }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect((await rejection(pollDeviceToken({ input: { device_code: device.device_code } }))).code).toBe("expired_token");
    expect((await findDeviceRequest({ ctx: ada, input: { code: device.code } })).status).toBe("expired");
    expect((await rejection(approveDeviceRequest({ ctx: ada, input: { code: device.code } }))).message).toContain("expired");
    expect((await rejection(pollDeviceToken({ input: { device_code: "never-issued" } }))).code).toBe("expired_token");
  });

  it("polling before the interval has passed answers slow_down, and the interval grows by 5 s each time", async () => {
    const device = await start();
    expect((await rejection(pollDeviceToken({ input: { device_code: device.device_code } }))).code).toBe("authorization_pending");
    const slow = await rejection(pollDeviceToken({ input: { device_code: device.device_code } }));
    expect([slow.code, slow.status, slow.message]).toEqual(["slow_down", 429, "polling too fast: wait 10 seconds between polls"]);
    expect((await rejection(pollDeviceToken({ input: { device_code: device.device_code } }))).message).toContain("wait 15 seconds");
    // On time again (as if 15 s had passed): pending, at the slower interval.
    await getPrisma().deviceAuthorization.update({ where: { userCode: device.code }, data: { lastPolledAt: new Date(Date.now() - 15_000) } });
    expect((await rejection(pollDeviceToken({ input: { device_code: device.device_code } }))).code).toBe("authorization_pending");
    expect((await getPrisma().deviceAuthorization.findUniqueOrThrow({ where: { userCode: device.code } })).interval).toBe(15);
  });

  it("an approval nobody collected is revoked when its code expires, audited, and the request goes", async () => {
    const device = await start("never-collected");
    const { device: issued } = await approveDeviceRequest({ ctx: ada, input: { code: device.code } });
    await sweepDeviceAuthorizations();
    expect(await getPrisma().deviceAuthorization.count({ where: { userCode: device.code } })).toBe(1);
    await sweepDeviceAuthorizations(new Date(Date.now() + 11 * 60_000));
    expect(await getPrisma().deviceAuthorization.count({ where: { userCode: device.code } })).toBe(0);
    expect((await getPrisma().apiToken.findUniqueOrThrow({ where: { id: issued.id } })).revokedAt).not.toBeNull();
    const [revoked] = (await records("device.revoked")).filter((record) => record.subjectId === issued.id);
    expect(JSON.parse(revoked!.details)).toMatchObject({ reason: "the device did not collect it in time", by: "device-sweep" });
    // Finished requests stay an hour past their end, for precise answers, then go.
    const denied = await start();
    await denyDeviceRequest({ ctx: ada, input: { code: denied.code } });
    await sweepDeviceAuthorizations(new Date(Date.now() + 30 * 60_000));
    expect(await getPrisma().deviceAuthorization.count({ where: { userCode: denied.code } })).toBe(1);
    await sweepDeviceAuthorizations(new Date(Date.now() + 71 * 60_000));
    expect(await getPrisma().deviceAuthorization.count({ where: { userCode: denied.code } })).toBe(0);
  });
});

describe("limits", () => {
  it("wrong codes: ten per source, then none from there for a while, the right one included", async () => {
    const device = await start();
    const guesser: Ctx = { ...bob, ip: "203.0.113.50" };
    for (let i = 0; i < 10; i++) expect((await rejection(findDeviceRequest({ ctx: guesser, input: { code: "BBBBBBBB" } }))).code).toBe("not_found");
    const limited = await rejection(findDeviceRequest({ ctx: guesser, input: { code: device.code } }));
    expect([limited.code, limited.status]).toEqual(["rate_limited", 429]);
    expect(limited.message).toMatch(/too many wrong codes: try again in 1[45] minutes/);
    expect((await rejection(approveDeviceRequest({ ctx: guesser, input: { code: device.code } }))).code).toBe("rate_limited");
    // Bob's limit follows him to other addresses; Ada, elsewhere, is not held back.
    expect((await rejection(findDeviceRequest({ ctx: { ...bob, ip: "203.0.113.51" }, input: { code: device.code } }))).code).toBe("rate_limited");
    expect((await findDeviceRequest({ ctx: { ...ada, ip: "203.0.113.52" }, input: { code: device.code } })).status).toBe("pending");
  });

  it("right codes cost nothing", async () => {
    const device = await start();
    const person: Ctx = { ...admin, ip: "203.0.113.60" };
    for (let i = 0; i < 15; i++) await findDeviceRequest({ ctx: person, input: { code: device.code } });
  });

  it("starting sign-ins: thirty per source in fifteen minutes", async () => {
    const ctx = deviceCtx("203.0.113.70");
    for (let i = 0; i < 30; i++) await startDeviceAuthorization({ ctx, input: { deviceName: "flood" } });
    const limited = await rejection(startDeviceAuthorization({ ctx, input: { deviceName: "flood" } }));
    expect([limited.code, limited.message]).toEqual(["rate_limited", expect.stringContaining("too many sign-ins started from your address")]);
    await startDeviceAuthorization({ ctx: deviceCtx("203.0.113.71"), input: { deviceName: "elsewhere" } });
  });
});

describe("device tokens", () => {
  async function signedIn(ctx: Ctx, name: string) {
    const device = await start(name);
    await approveDeviceRequest({ ctx, input: { code: device.code } });
    return pollDeviceToken({ input: { device_code: device.device_code } });
  }

  it("are refused once expired or revoked", async () => {
    const expiring = await signedIn(ada, "expiring");
    await getPrisma().apiToken.update({ where: { id: expiring.device.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await tokenHolder(expiring.access_token)).toBeNull();
    expect(
      (await listDevices({ ctx: ada, input: { userId: ada.actor.type === "user" ? ada.actor.id : "", status: "all" } })).find((d) => d.name === "expiring")
        ?.status,
    ).toBe("expired");

    const revoked = await signedIn(ada, "revoked");
    await revokeDevice({ ctx: ada, input: { id: revoked.device.id } });
    expect(await tokenHolder(revoked.access_token)).toBeNull();
  });

  it("record their last use and address, writing at most once a minute unless the address changes", async () => {
    const granted = await signedIn(ada, "travelling");
    const lastUse = () => getPrisma().apiToken.findUniqueOrThrow({ where: { id: granted.device.id }, select: { lastUsedAt: true, lastUsedIp: true } });
    await tokenHolder(granted.access_token, "198.51.100.1");
    const first = await lastUse();
    expect(first.lastUsedIp).toBe("198.51.100.1");
    await tokenHolder(granted.access_token, "198.51.100.1");
    expect((await lastUse()).lastUsedAt).toEqual(first.lastUsedAt);
    await tokenHolder(granted.access_token, "198.51.100.2");
    expect((await lastUse()).lastUsedIp).toBe("198.51.100.2");
  });

  it("a person revokes only their own (another's is not there for them); admins anyone's; logout only with a device token", async () => {
    const granted = await signedIn(ada, "ada-desktop");
    expect((await rejection(revokeDevice({ ctx: bob, input: { id: granted.device.id } }))).code).toBe("not_found");
    const adaId = ada.actor.type === "user" ? ada.actor.id : "";
    expect((await rejection(listDevices({ ctx: bob, input: { userId: adaId, status: "active" } }))).code).toBe("forbidden");
    expect((await listDevices({ ctx: admin, input: { userId: adaId, status: "active" } })).map((d) => d.name)).toContain("ada-desktop");

    const personal = await createApiToken({ ctx: ada, input: { userId: adaId, ...createApiTokenSchema.parse({ name: "script" }) } });
    expect((await rejection(revokeDevice({ ctx: ada, input: { id: personal.record.id } }))).code).toBe("not_found");
    const holder = (await tokenHolder(personal.token))!;
    expect((await rejection(revokeCurrentDevice({ ctx: ada, via: { via: "token", token: holder.token, user: { ...holder.user } } }))).code).toBe("bad_request");

    const revoked = await revokeDevice({ ctx: admin, input: { id: granted.device.id } });
    expect(revoked.status).toBe("revoked");
    const [record] = (await records("device.revoked")).filter((r) => r.subjectId === granted.device.id);
    expect(record).toMatchObject({ actorEmail: "root@example.com" });
    // Revoking again changes nothing and records nothing.
    await revokeDevice({ ctx: ada, input: { id: granted.device.id } });
    expect((await records("device.revoked")).filter((r) => r.subjectId === granted.device.id)).toHaveLength(1);
  });

  it("leave the audit chain whole", async () => {
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
