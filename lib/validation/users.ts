import { z } from "zod";

export const emailSchema = z
  .string({ error: "is required" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "must be an email address" }).max(254, { error: "must be at most 254 characters" }));

export const passwordSchema = z
  .string({ error: "is required" })
  .min(10, { error: "must be at least 10 characters" })
  .max(256, { error: "must be at most 256 characters" });

export const nameSchema = z.string().trim().min(1, { error: "must not be empty" }).max(100, { error: "must be at most 100 characters" });

export const roleSchema = z.enum(["admin", "user"], { error: "must be admin or user" });

export const createUserSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema.optional(),
  role: roleSchema.default("user"),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const firstAdminSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
});
export type FirstAdminInput = z.input<typeof firstAdminSchema>;

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string({ error: "is required" }).min(1, { error: "is required" }).max(256),
});
