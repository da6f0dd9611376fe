// What each socket signed in with (an API token or a browser session), and
// the check of every live socket's credential in one round of queries: one
// query per round, not one per socket, however many sockets are open.
import { decode } from "next-auth/jwt";
import { hashApiToken } from "@/lib/auth/api-tokens";
import { getConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db/prisma";
import type { Role } from "@/lib/generated/prisma/enums";

/** A token by its hash, a session by its AuthSession id. */
export type Credential = { type: "token"; key: string } | { type: "session"; key: string };

export const tokenCredential = (token: string): Credential => ({ type: "token", key: hashApiToken(token) });

/** The AuthSession a session cookie's JWT names, if it decodes. */
export async function sessionCredential(jwt: string | undefined): Promise<Credential | null> {
  if (!jwt) return null;
  const payload = await decode({ token: jwt, secret: getConfig().authSecret }).catch(() => null);
  return typeof payload?.sid === "string" ? { type: "session", key: payload.sid } : null;
}

const credentialId = (credential: Credential) => `${credential.type}:${credential.key}`;

/** For every credential still valid (a session not ended or expired, a token
 *  not revoked or expired, an enabled user): its user's current role. */
export async function validCredentials(credentials: Credential[]): Promise<Map<string, Role>> {
  const keys = (type: Credential["type"]) => [...new Set(credentials.filter((c) => c.type === type).map((c) => c.key))];
  const enabled = { disabled: false };
  const [sessions, tokens] = await Promise.all([
    getPrisma().authSession.findMany({
      where: { id: { in: keys("session") }, expiresAt: { gt: new Date() }, user: enabled },
      select: { id: true, user: { select: { role: true } } },
    }),
    getPrisma().apiToken.findMany({
      where: { hash: { in: keys("token") }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }], user: enabled },
      select: { hash: true, user: { select: { role: true } } },
    }),
  ]);
  return new Map([
    ...sessions.map((s) => [credentialId({ type: "session", key: s.id }), s.user.role] as const),
    ...tokens.map((t) => [credentialId({ type: "token", key: t.hash }), t.user.role] as const),
  ]);
}

export function roleOf(valid: Map<string, Role>, credential: Credential): Role | undefined {
  return valid.get(credentialId(credential));
}
