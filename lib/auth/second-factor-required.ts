import { getConfig } from "@/lib/config";
import type { Role } from "@/lib/generated/prisma/enums";

/** What to select of a user to tell whether they have a second factor (an authenticator app or a passkey). */
export const secondFactorSelect = { totpSecretEnc: true, _count: { select: { passkeys: true } } } as const;

export function hasSecondFactor(user: { totpSecretEnc: string | null; _count: { passkeys: number } }): boolean {
  return user.totpSecretEnc !== null || user._count.passkeys > 0;
}

/** Whether Warren makes this account set up a second factor (WARREN_REQUIRE_MFA); single sign-on leaves it to the provider. */
export function secondFactorRequired(user: { role: Role; oidcIssuer: string | null }): boolean {
  const { requireMfa } = getConfig();
  return user.oidcIssuer === null && (requireMfa === "all" || (requireMfa === "admins" && user.role === "admin"));
}
