import { z } from "zod";

export const tokenNameSchema = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(64, { error: "must be at most 64 characters" });

export const createApiTokenSchema = z.object({
  userId: z.string().min(1),
  name: tokenNameSchema.default("default"),
});
export type CreateApiTokenInput = z.input<typeof createApiTokenSchema>;
