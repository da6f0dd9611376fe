// What a single sign-on does once next-auth has validated the ID token
// (signature, issuer, audience, nonce, expiry): find or create the person
// (just in time), follow the provider's groups into teams and the admin role,
// and open Warren's own session. The provider decides who someone is; Warren
// still decides whether they may come in (a user disabled here stays out).
import { audited, recordAudit, type AuditInput } from "@/lib/audit/audit-log";
import { openAuthSession, type SessionUser } from "@/lib/auth/sessions";
import type { SignInError } from "@/lib/auth/sign-in-errors";
import type { OidcConfig } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { getPrisma } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { applyIdpTeamChanges, syncIdpTeams } from "@/lib/teams/idp-teams";
import { enforceAccess } from "@/lib/tunnels/sweeps";
import type { OidcIdentity } from "@/lib/validation/oidc-claims";

type UserRow = Prisma.UserGetPayload<{ select: typeof userSelect }>;
const userSelect = { id: true, email: true, name: true, role: true, disabled: true, oidcSubject: true } as const;

export type OidcSignIn = { user: SessionUser; sid: string } | { refused: SignInError };

/** The account this identity signs in to; a local one with its email only when linking is allowed and the email verified. */
async function accountFor(
  identity: OidcIdentity,
  config: OidcConfig,
): Promise<{ user: UserRow | null; link: boolean } | { refused: SignInError; reason: string }> {
  const prisma = getPrisma();
  const linked = await prisma.user.findUnique({
    where: { oidcIssuer_oidcSubject: { oidcIssuer: identity.issuer, oidcSubject: identity.subject } },
    select: userSelect,
  });
  if (linked) return { user: linked, link: false };
  const local = await prisma.user.findUnique({ where: { email: identity.email }, select: userSelect });
  if (!local) return { user: null, link: false };
  if (!config.linkByEmail || local.oidcSubject) return { refused: "SsoEmailTaken", reason: "email belongs to another account" };
  if (!identity.emailVerified) return { refused: "SsoEmailUnverified", reason: "email not verified by the identity provider" };
  return { user: local, link: true };
}

/** With admin groups configured, the provider decides the role at every sign-in; without, Warren does. */
function roleFor(identity: OidcIdentity, config: OidcConfig, current: Role | undefined): Role {
  if (config.adminGroups.length === 0) return current ?? "user";
  return identity.groups.some((group) => config.adminGroups.includes(group)) ? "admin" : "user";
}

/** Creates or updates the account and its team memberships, with their audit records, in one transaction. */
function provision(ctx: Ctx, identity: OidcIdentity, account: { user: UserRow | null; link: boolean }, role: Role) {
  return audited(ctx, async (tx) => {
    const audit: AuditInput[] = [];
    const source = { issuer: identity.issuer, subject: identity.subject };
    let user: UserRow;
    if (!account.user) {
      user = await tx.user.create({
        data: { email: identity.email, name: identity.name, role, passwordHash: null, oidcIssuer: identity.issuer, oidcSubject: identity.subject },
        select: userSelect,
      });
      audit.push({ action: "user.created", subjectId: user.id, details: { email: user.email, role, source: "oidc", ...source } });
    } else {
      const previous = account.user;
      // The provider's email wins when no other account has it.
      const emailFree = identity.email === previous.email || !(await tx.user.findUnique({ where: { email: identity.email }, select: { id: true } }));
      user = await tx.user.update({
        where: { id: previous.id },
        data: {
          name: identity.name ?? previous.name,
          role,
          ...(emailFree ? { email: identity.email } : {}),
          ...(account.link ? { oidcIssuer: identity.issuer, oidcSubject: identity.subject } : {}),
        },
        select: userSelect,
      });
      if (account.link) audit.push({ action: "user.idp_linked", subjectId: user.id, details: { email: user.email, ...source } });
      if (role !== previous.role)
        audit.push({ action: "user.role_changed", subjectId: user.id, details: { email: user.email, from: previous.role, role, source: "oidc" } });
    }
    const teams = await syncIdpTeams(tx, user, identity.groups);
    return { result: { user, teams, demoted: account.user?.role === "admin" && role !== "admin" }, audit: [...audit, ...teams.audit] };
  });
}

export async function oidcSignIn({ ctx, input }: { ctx: Ctx; input: { identity: OidcIdentity; config: OidcConfig } }): Promise<OidcSignIn> {
  const { identity, config } = input;
  const refuse = async (refused: SignInError, reason: string): Promise<OidcSignIn> => {
    await recordAudit(ctx, { action: "auth.sign_in_failed", details: { email: identity.email, reason, via: "oidc" } });
    return { refused };
  };
  const account = await accountFor(identity, config);
  if ("refused" in account) return refuse(account.refused, account.reason);
  if (account.user?.disabled) return refuse("SsoDisabled", "account disabled");

  const { user, teams, demoted } = await provision(ctx, identity, account, roleFor(identity, config, account.user?.role));
  await applyIdpTeamChanges(ctx, user, teams);
  if (demoted) await enforceAccess(ctx, { userIds: [user.id], why: `${user.email} is no longer an admin (identity provider groups)` });
  const sessionUser: SessionUser = { id: user.id, email: user.email, name: user.name, role: user.role };
  const session = await openAuthSession({ ...ctx, actor: { type: "user", ...sessionUser } }, { via: "oidc" });
  return { user: sessionUser, sid: session.id };
}
