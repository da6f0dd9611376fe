import { z } from "zod";

export const tokenNameSchema = z.string().trim().min(1, { error: "must not be empty" }).max(64, { error: "must be at most 64 characters" });

/** A new token's body; whose token it is comes from the caller, never from the body. */
export const createApiTokenSchema = z.object({ name: tokenNameSchema.default("default") });
export type CreateApiTokenInput = z.output<typeof createApiTokenSchema>;
