import { z } from "zod";

export const emailSchema = z
  .string({ error: "is required" })
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "must be an email address" }).max(254, { error: "must be at most 254 characters" }));

// The most common passwords long enough to pass the other rules (from public
// breach lists), compared without case or spaces.
const COMMON_PASSWORDS = new Set([
  "1234567890",
  "0123456789",
  "0987654321",
  "1234567891",
  "12345678910",
  "123456789a",
  "qwertyuiop",
  "1q2w3e4r5t",
  "1qaz2wsx3edc",
  "qwerty1234",
  "qwerty12345",
  "password123",
  "password1234",
  "passw0rd123",
  "iloveyou123",
  "abcdefghij",
  "asdfghjkl;",
  "zxcvbnm123",
  "administrator",
  "letmein123",
  "welcome123",
  "changeme123",
  "trustno1234",
]);

/** At least 10 characters besides spaces at either end, at least 5 of them
 *  different, and not one of the best-known passwords: the least a guesser
 *  should need more than a few tries for. */
// Each rule stops the rest (abort), so a password gets exactly one reason.
export const passwordSchema = z
  .string({ error: "is required" })
  .min(10, { error: "must be at least 10 characters", abort: true })
  .max(256, { error: "must be at most 256 characters", abort: true })
  .refine((value) => value.trim().length >= 10, { error: "must have at least 10 characters besides spaces at either end", abort: true })
  .refine((value) => new Set(value.trim()).size >= 5, { error: "must use at least 5 different characters", abort: true })
  .refine((value) => !COMMON_PASSWORDS.has(value.toLowerCase().replace(/\s+/g, "")), { error: "is one of the most common passwords; choose another" });

export const nameSchema = z.string().trim().min(1, { error: "must not be empty" }).max(100, { error: "must be at most 100 characters" });

export const roleSchema = z.enum(["admin", "user"], { error: "must be admin or user" });

export const createUserSchema = z.object({
  email: emailSchema,
  /** Left out, the answer carries a one-time link that sets it (an invitation). */
  password: passwordSchema.optional(),
  name: nameSchema.optional(),
  role: roleSchema.default("user"),
});
export type CreateUserInput = z.output<typeof createUserSchema>;

export const firstAdminSchema = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: nameSchema,
  /** The one-time code from the data directory, when Warren is reachable beyond loopback (lib/auth/setup-code.ts). */
  setupCode: z.string().trim().max(100, { error: "must be at most 100 characters" }).optional(),
});
export type FirstAdminInput = z.output<typeof firstAdminSchema>;

/** An authenticator app's six digits, or a recovery code (dashes and spaces ignored). */
export const secondFactorCodeSchema = z
  .string({ error: "is required" })
  .transform((value) => value.replace(/[\s-]/g, ""))
  .pipe(z.string().min(6, { error: "must be the 6 digits from your authenticator app, or a recovery code" }).max(32, { error: "is too long" }));

/** A browser's answer to a passkey challenge; @simplewebauthn/server checks the rest of its shape. */
export const passkeyProofSchema = z.object({
  challengeId: z.string().min(1).max(64),
  response: z.looseObject({ id: z.string().min(1).max(1024), type: z.literal("public-key") }),
});
export type PasskeyProof = z.output<typeof passkeyProofSchema>;

/** A new passkey: the browser's answer to the registration challenge, and a name to tell it apart. */
export const addPasskeySchema = passkeyProofSchema.extend({ name: nameSchema.default("Passkey") });

/** { "code" }: a current authenticator code or a recovery code. */
export const secondFactorCheckSchema = z.object({ code: secondFactorCodeSchema });

/** A re-check: a code, or a passkey's answer. */
export const secondFactorProofSchema = z.union([secondFactorCheckSchema, z.object({ passkey: passkeyProofSchema })], {
  error: "give a code, or a passkey's answer",
});

/** A form field holding JSON: parsed, or left as it is for the schema to refuse. */
function fromJson(value: unknown): unknown {
  if (value === "") return undefined;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export const signInSchema = z.object({
  email: emailSchema,
  password: z.string({ error: "is required" }).min(1, { error: "is required" }).max(256),
  /** Asked for once the password is right, when the account has a second factor: a code, or a passkey's answer (JSON). */
  code: z.preprocess((value) => (value === "" ? undefined : value), secondFactorCodeSchema.optional()),
  passkey: z.preprocess(fromJson, passkeyProofSchema.optional()),
});

/** One change at a time: disable or enable, or a new role. */
export const updateUserSchema = z
  .object({
    disabled: z.boolean({ error: "must be true (disable) or false (enable again)" }).optional(),
    role: roleSchema.optional(),
  })
  .refine((change) => (change.disabled === undefined) !== (change.role === undefined), {
    error: 'give one change: {"disabled": true|false} or {"role": "admin"|"user"}',
  });

/** POST /me/password: the person's own, proved by the current one. */
export const changePasswordSchema = z.object({
  current: z.string({ error: "is required" }).min(1, { error: "is required" }).max(256),
  password: passwordSchema,
});
export type ChangePassword = z.output<typeof changePasswordSchema>;

/** POST /set-password: a one-time link's secret and the new password. */
export const setPasswordSchema = z.object({ secret: z.string().min(20).max(200), password: passwordSchema });

/** `user password` (the CLI): an admin sets someone's password. */
export const passwordResetSchema = z.object({ email: emailSchema, password: passwordSchema });
