import { isUniqueViolation } from "@/lib/db/unique-violation";
import { ApiError } from "@/lib/api/api-error";
import { audited } from "@/lib/audit/audit-log";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { issuePasswordLink } from "@/lib/auth/password-links";
import { requireAdmin } from "@/lib/auth/require-admin";
import { requireUserId } from "@/lib/auth/require-user";
import { hasSecondFactor, secondFactorSelect } from "@/lib/auth/second-factor-required";
import { removeSetupCode, setupCodeFile, setupCodeMatches, setupCodeNeeded } from "@/lib/auth/setup-code";
import { getConfig } from "@/lib/config";
import { recheckLiveAccess } from "@/lib/tunnels/recheck-live-access";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Role } from "@/lib/generated/prisma/enums";
import { findEngine } from "@/lib/tunnels/engine-port";
import { enforceAccess, sweepDisabledUsers } from "@/lib/tunnels/sweeps";
import type { ChangePassword, CreateUserInput, FirstAdminInput } from "@/lib/validation/users";

/** What the API and pages may show of a user: never the password hash. `oidcIssuer`: set for people who sign in through the identity provider. */
const publicUserSelect = { id: true, email: true, name: true, role: true, disabled: true, createdAt: true, lastSignInAt: true, oidcIssuer: true } as const;

/** With a password the account is ready; without, the answer carries a one-time link (7 days) that sets one. */
export async function createUser({ ctx, input: data }: { ctx: Ctx; input: CreateUserInput }) {
  requireAdmin(ctx, "manage users");
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  try {
    return await audited(ctx, async (tx) => {
      const user = await tx.user.create({ data: { email: data.email, name: data.name, role: data.role, passwordHash }, select: publicUserSelect });
      const setPasswordLink = passwordHash ? null : await issuePasswordLink(tx, user.id, "invite");
      const details = { email: user.email, role: user.role, ...(setPasswordLink ? { invited: true, linkExpiresAt: setPasswordLink.expiresAt } : {}) };
      return { result: { ...user, setPasswordLink }, audit: { action: "user.created", subjectId: user.id, details } };
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ApiError({ code: "conflict", field: "email", message: `a user with email ${data.email} already exists` });
    }
    throw error;
  }
}

/** Everyone, with whether they have a second factor (an authenticator app or a passkey; never the app's secret). */
export async function listUsers({ ctx }: { ctx: Ctx }) {
  requireAdmin(ctx, "list users");
  const users = await getPrisma().user.findMany({ select: { ...publicUserSelect, ...secondFactorSelect }, orderBy: { email: "asc" } });
  return users.map(({ totpSecretEnc, _count, ...user }) => ({ ...user, secondFactor: hasSecondFactor({ totpSecretEnc, _count }) }));
}

export async function getUser({ ctx, input }: { ctx: Ctx; input: { id: string } }) {
  requireAdmin(ctx, "manage users");
  const user = await getPrisma().user.findUnique({ where: { id: input.id }, select: publicUserSelect });
  if (!user) throw new ApiError({ code: "not_found", message: `no user with id ${input.id}` });
  return user;
}

export async function hasUsers(): Promise<boolean> {
  return (await getPrisma().user.count()) > 0;
}

const alreadySetUp = () => new ApiError({ code: "forbidden", message: "Warren is already set up; ask an admin for an account" });

/** The one-time first-run path: creates an admin only while no user exists.
 *  Anyone may call it, so once set up it refuses before any other work (the
 *  password hash costs 64 MiB and most of a core). */
export async function createFirstAdmin({ ctx, input: data }: { ctx: Ctx; input: FirstAdminInput }) {
  if (await hasUsers()) throw alreadySetUp();
  const config = getConfig();
  if (setupCodeNeeded(config) && !setupCodeMatches(config, data.setupCode)) {
    const message = data.setupCode ? `is not the code in ${setupCodeFile(config)}` : `is required: read it from ${setupCodeFile(config)} on the bastion`;
    throw new ApiError({ code: "unprocessable_entity", field: "setupCode", message });
  }
  const passwordHash = await hashPassword(data.password);
  // Count and create (and audit) in one transaction: SQLite serialises writers, so two
  // racing first-run requests cannot both see an empty table.
  const admin = await audited(ctx, async (tx) => {
    if ((await tx.user.count()) > 0) throw alreadySetUp();
    const user = await tx.user.create({
      data: { email: data.email, name: data.name, role: "admin", passwordHash },
      select: publicUserSelect,
    });
    return { result: user, audit: { action: "user.created", subjectId: user.id, details: { email: user.email, role: user.role, firstAdmin: true } } };
  });
  removeSetupCode(config);
  return admin;
}

/** `email` as emailSchema parses it (trimmed, lower case). */
export async function findUserByEmail(email: string) {
  const user = await getPrisma().user.findUnique({ where: { email }, select: publicUserSelect });
  if (!user) throw new ApiError({ code: "not_found", field: "email", message: `no user with email ${email}` });
  return user;
}

/** A person's own new password, given the current one. Their other browser
 *  sessions end (the one they use goes on); their API tokens are untouched. */
export async function changeOwnPassword({ ctx, input }: { ctx: Ctx; input: ChangePassword & { keepSession: string | null } }) {
  const userId = requireUserId(ctx, "changes their own password");
  const user = await getPrisma().user.findUniqueOrThrow({ where: { id: userId } });
  if (!user.passwordHash) {
    throw new ApiError({ code: "conflict", message: "your account has no Warren password: you sign in through single sign-on" });
  }
  if (!(await verifyPassword(user.passwordHash, input.current))) {
    throw new ApiError({ code: "unprocessable_entity", field: "current", message: "is not your current password" });
  }
  const passwordHash = await hashPassword(input.password);
  await audited(ctx, async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    const ended = await tx.authSession.deleteMany({ where: { userId, ...(input.keepSession ? { id: { not: input.keepSession } } : {}) } });
    return { result: null, audit: { action: "user.password_changed", subjectId: userId, details: { email: user.email, otherSessionsEnded: ended.count } } };
  });
}

/** An admin sets someone's password (they forgot theirs): every browser session of theirs ends. */
export async function resetPassword({ ctx, input }: { ctx: Ctx; input: { email: string; password: string } }) {
  requireAdmin(ctx, "manage users");
  const user = await findUserByEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  await audited(ctx, async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    const ended = await tx.authSession.deleteMany({ where: { userId: user.id } });
    return { result: null, audit: { action: "user.password_reset", subjectId: user.id, details: { email: user.email, sessionsEnded: ended.count } } };
  });
  return user;
}

/** Lets a disabled user in again: they sign in afresh (their sessions ended
 *  when they were disabled); their API tokens, refused meanwhile, work again.
 *  Their tunnels were closed, and stay closed. */
export async function enableUser({ ctx, input }: { ctx: Ctx; input: { email: string } }) {
  requireAdmin(ctx, "manage users");
  const user = await findUserByEmail(input.email);
  if (!user.disabled) return getUser({ ctx, input: { id: user.id } });
  return audited(ctx, async (tx) => ({
    result: await tx.user.update({ where: { id: user.id }, data: { disabled: false }, select: publicUserSelect }),
    audit: { action: "user.enabled", subjectId: user.id, details: { email: user.email } },
  }));
}

/** Disables a user and ends every browser session they have at once; their
 *  API tokens stop working because every request checks `disabled`. */
export async function disableUser({ ctx, input }: { ctx: Ctx; input: { email: string } }) {
  requireAdmin(ctx, "manage users");
  const user = await findUserByEmail(input.email);
  if (ctx.actor.type === "user" && ctx.actor.id === user.id) {
    throw new ApiError({ code: "bad_request", message: "you cannot disable yourself" });
  }
  const updated = await audited(ctx, async (tx) => {
    const disabled = await tx.user.update({ where: { id: user.id }, data: { disabled: true }, select: publicUserSelect });
    const sessions = await tx.authSession.deleteMany({ where: { userId: user.id } });
    return { result: disabled, audit: { action: "user.disabled", subjectId: user.id, details: { email: user.email, sessionsEnded: sessions.count } } };
  });
  // In Warren's own process their tunnels close, and they leave tunnels they
  // joined, now; from the CLI Warren's sweeps find both within seconds.
  if (findEngine()) await sweepDisabledUsers(ctx);
  recheckLiveAccess();
  return updated;
}

/** Admins make someone an admin or a user. Warren keeps an enabled admin, and a role the identity provider's groups decide is changed there. */
export async function changeRole({ ctx, input }: { ctx: Ctx; input: { id: string; role: Role } }) {
  requireAdmin(ctx, "change roles");
  const user = await getUser({ ctx, input });
  if (user.role === input.role) return user;
  if (user.oidcIssuer && getConfig().oidc?.adminGroups.length) {
    throw new ApiError({
      code: "conflict",
      field: "role",
      message: `${user.email}'s role follows WARREN_OIDC_ADMIN_GROUPS at each sign-in: change their groups at the identity provider`,
    });
  }
  const updated = await audited(ctx, async (tx) => {
    if (input.role === "user" && (await tx.user.count({ where: { role: "admin", disabled: false, id: { not: user.id } } })) === 0) {
      throw new ApiError({ code: "conflict", field: "role", message: `${user.email} is the last admin: make someone else admin first` });
    }
    const changed = await tx.user.update({ where: { id: user.id }, data: { role: input.role }, select: publicUserSelect });
    return { result: changed, audit: { action: "user.role_changed", subjectId: user.id, details: { email: user.email, from: user.role, role: input.role } } };
  });
  // An admin who is one no more loses what only admins had (hosts outside their teams).
  if (input.role === "user") await enforceAccess(ctx, { userIds: [user.id], why: `${user.email} is no longer an admin` });
  return updated;
}
