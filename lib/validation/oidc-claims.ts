import { z } from "zod";
import { emailSchema } from "@/lib/validation/users";

/** What Warren takes from a validated ID token: who it is, how to reach them, and their groups. */
export type OidcIdentity = { issuer: string; subject: string; email: string; emailVerified: boolean; name: string | null; groups: string[] };

const groupSchema = z.string().trim().min(1).max(200);

/** Groups come as a list of names; some providers send a single name. Anything else in the list is ignored. */
const groupsSchema = z
  .union([z.array(z.unknown()), z.string()])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
  .transform((values) => [...new Set(values.flatMap((v) => groupSchema.safeParse(v).data ?? []))]);

const claimsSchema = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1).max(255),
  email: emailSchema,
  email_verified: z.union([z.boolean(), z.literal("true"), z.literal("false")]).optional(),
  name: z.string().trim().max(100).optional(),
});

/** The identity in an ID token's claims, or why it cannot sign in: every account needs an email. */
export function oidcIdentity(claims: Record<string, unknown>, groupsClaim: string): OidcIdentity | { missing: "email" | "subject" } {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) return { missing: parsed.error.issues.some((issue) => issue.path[0] === "email") ? "email" : "subject" };
  const { iss, sub, email, email_verified, name } = parsed.data;
  return {
    issuer: iss,
    subject: sub,
    email,
    emailVerified: email_verified === true || email_verified === "true",
    name: name || null,
    groups: groupsSchema.safeParse(claims[groupsClaim]).data ?? [],
  };
}
