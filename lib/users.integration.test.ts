import argon2 from "argon2";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { createApiToken, revokeApiToken, userFromApiToken } from "@/lib/auth/api-tokens";
import { verifyPassword } from "@/lib/auth/password";
import { createAuthSession, deleteAuthSession, userFromSessionToken } from "@/lib/auth/sessions";
import { getConfig } from "@/lib/config";
import { systemCtx, type Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import { createFirstAdmin, createUser, disableUser } from "@/lib/users";
import { createApiTokenSchema } from "@/lib/validation/api-tokens";
import { createUserSchema } from "@/lib/validation/users";
import { useTestDatabase } from "@/tests/harness/test-database";

let db: Awaited<ReturnType<typeof useTestDatabase>>;
const cli = systemCtx("test");
const password = "correct horse battery";

beforeAll(async () => {
  db = await useTestDatabase();
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

const sessionCookie = async (sid: string) => encode({ token: { sid, sub: "x" }, secret: getConfig().authSecret });

describe("first run", () => {
  it("creates exactly one admin even when two requests race", async () => {
    const results = await Promise.allSettled([
      createFirstAdmin({ ctx: cli, input: { email: "root@example.com", name: "Root", password } }),
      createFirstAdmin({ ctx: cli, input: { email: "other@example.com", name: "Other", password } }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((result) => result.status === "rejected");
    expect(refused?.status === "rejected" && (refused.reason as ApiError).code).toBe("forbidden");
    const admins = await getPrisma().user.findMany({ where: { role: "admin" } });
    expect(admins).toHaveLength(1);
  });

  it("is closed once a user exists, before any password is hashed or input read", async () => {
    const hash = vi.spyOn(argon2, "hash");
    try {
      const error = await rejection(createFirstAdmin({ ctx: cli, input: { email: "late@example.com", name: "Late", password } }));
      expect(error).toMatchObject({ code: "forbidden", message: "Warren is already set up; ask an admin for an account" });
      expect(hash).not.toHaveBeenCalled();
      const malformed = await rejection(createFirstAdmin({ ctx: cli, input: { email: "not an email", name: "", password: "x" } }));
      expect(malformed.code).toBe("forbidden");
    } finally {
      hash.mockRestore();
    }
  });
});

describe("users", () => {
  it("stores an argon2id hash, never the password", async () => {
    const user = await createUser({ ctx: cli, input: createUserSchema.parse({ email: "Hash@Example.com", password }) });
    const stored = await getPrisma().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.email).toBe("hash@example.com");
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored.passwordHash, password)).toBe(true);
    expect(await verifyPassword(stored.passwordHash, "wrong password")).toBe(false);
  });

  it("answers a duplicate email with 409 on the email field", async () => {
    const error = await rejection(createUser({ ctx: cli, input: createUserSchema.parse({ email: "hash@example.com", password }) }));
    expect(error).toMatchObject({ code: "conflict", field: "email" });
  });

  it("lets only admins create users", async () => {
    const user = await createUser({ ctx: cli, input: createUserSchema.parse({ email: "plain@example.com", password }) });
    const ctx: Ctx = { actor: { type: "user", id: user.id, email: user.email, role: "user" } };
    const error = await rejection(createUser({ ctx, input: createUserSchema.parse({ email: "sneaky@example.com", password, role: "admin" }) }));
    expect(error.code).toBe("forbidden");
  });
});

describe("sessions and tokens of a disabled user", () => {
  it("stop working at once", async () => {
    const user = await createUser({ ctx: cli, input: createUserSchema.parse({ email: "carol@example.com", password }) });
    const session = await createAuthSession({ userId: user.id, ip: "127.0.0.1", userAgent: "vitest" });
    const cookie = await sessionCookie(session.id);
    const { token } = await createApiToken({ ctx: cli, input: { userId: user.id, ...createApiTokenSchema.parse({ name: "ci" }) } });

    expect((await userFromSessionToken(cookie))?.email).toBe("carol@example.com");
    expect((await userFromApiToken(token))?.email).toBe("carol@example.com");

    await disableUser({ ctx: cli, input: { email: "carol@example.com" } });
    expect(await userFromSessionToken(cookie)).toBeNull();
    expect(await userFromApiToken(token)).toBeNull();
  });
});

describe("sessions", () => {
  it("end on sign-out, and forged or foreign cookies are refused", async () => {
    const user = await createUser({ ctx: cli, input: createUserSchema.parse({ email: "dave@example.com", password }) });
    const session = await createAuthSession({ userId: user.id });
    const cookie = await sessionCookie(session.id);
    expect(await userFromSessionToken(cookie)).not.toBeNull();
    await deleteAuthSession(session.id);
    expect(await userFromSessionToken(cookie)).toBeNull();

    const other = await createAuthSession({ userId: user.id });
    const forged = await encode({ token: { sid: other.id }, secret: "not Warren's secret, but long enough to be used" });
    expect(await userFromSessionToken(forged)).toBeNull();
    expect(await userFromSessionToken("garbage")).toBeNull();
  });
});

describe("API tokens", () => {
  it("are stored hashed, shown once, and refused after revocation", async () => {
    const user = await createUser({ ctx: cli, input: createUserSchema.parse({ email: "erin@example.com", password }) });
    const { token, record } = await createApiToken({ ctx: cli, input: { userId: user.id, ...createApiTokenSchema.parse({ name: "deploy" }) } });
    expect(token).toMatch(/^wrn_[A-Za-z0-9_-]{43}$/);
    const stored = await getPrisma().apiToken.findUniqueOrThrow({ where: { id: record.id } });
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    expect((await userFromApiToken(token))?.id).toBe(user.id);
    expect(await userFromApiToken(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).toBeNull();

    await revokeApiToken({ ctx: cli, input: { id: record.id } });
    expect(await userFromApiToken(token)).toBeNull();
  });

  it("cannot be made or revoked for someone else by a non-admin", async () => {
    const mallory = await createUser({ ctx: cli, input: createUserSchema.parse({ email: "mallory@example.com", password }) });
    const victim = await createUser({ ctx: cli, input: createUserSchema.parse({ email: "victim@example.com", password }) });
    const ctx: Ctx = { actor: { type: "user", id: mallory.id, email: mallory.email, role: "user" } };
    expect((await rejection(createApiToken({ ctx, input: { userId: victim.id, ...createApiTokenSchema.parse({}) } }))).code).toBe("forbidden");
    const { record } = await createApiToken({ ctx: cli, input: { userId: victim.id, ...createApiTokenSchema.parse({}) } });
    expect((await rejection(revokeApiToken({ ctx, input: { id: record.id } }))).code).toBe("forbidden");
  });
});
