import { z } from "zod";
import { TOKEN_SCOPES } from "@/lib/auth/token-scope";

export const tokenNameSchema = z.string().trim().min(1, { error: "must not be empty" }).max(64, { error: "must be at most 64 characters" });

export const tokenScopeSchema = z.enum(TOKEN_SCOPES, { error: "must be read, tunnels or admin" });

export const tokenDaysSchema = z.coerce
  .number({ error: "must be a number of days" })
  .int({ error: "must be a whole number of days" })
  .min(1, { error: "must be at least 1 day" })
  .max(365, { error: "must be at most 365 days" });

/** A new token's body; whose token it is comes from the caller, never from the body. Without a scope it
 *  does all its owner may, as tokens always did; it expires after 90 days unless told otherwise. */
export const createApiTokenSchema = z.object({
  name: tokenNameSchema.default("default"),
  scope: tokenScopeSchema.default("admin"),
  expiresInDays: tokenDaysSchema.default(90),
});
export type CreateApiTokenInput = z.output<typeof createApiTokenSchema>;
