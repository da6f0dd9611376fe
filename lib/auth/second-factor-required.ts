import { getConfig } from "@/lib/config";
import type { Role } from "@/lib/generated/prisma/enums";

/** Whether Warren makes this account set up a second factor (WARREN_REQUIRE_MFA); single sign-on leaves it to the provider. */
export function secondFactorRequired(user: { role: Role; oidcIssuer: string | null }): boolean {
  const { requireMfa } = getConfig();
  return user.oidcIssuer === null && (requireMfa === "all" || (requireMfa === "admins" && user.role === "admin"));
}
