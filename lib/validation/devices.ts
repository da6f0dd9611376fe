// The device flow's inputs (`warren login`, /device) and the devices list's.
import { z } from "zod";
import { normalizeUserCode } from "@/lib/auth/user-code";
import { idSchema } from "@/lib/validation/common";

/** A device's name as it asks to sign in (the client sends the laptop's host name): what its token is called. */
export const deviceNameSchema = z
  .string({ error: "must be text" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(64, { error: "must be at most 64 characters" })
  .refine((name) => !/\p{Cc}/u.test(name), { error: "must not contain control characters" });

export const deviceCodeRequestSchema = z.object({ deviceName: deviceNameSchema.default("unnamed device") });

/** RFC 8628's names: the device sends back the code it was given. */
export const deviceTokenRequestSchema = z.object({
  device_code: z.string({ error: "is required" }).min(1, { error: "is required" }).max(128, { error: "is not a device code" }),
});

/** As the person types it: case, spaces and dashes do not matter. */
export const userCodeSchema = z
  .string({ error: "is required" })
  .max(32, { error: "is not a code: it looks like BCDF-GHJK" })
  .transform((typed, context) => {
    const code = normalizeUserCode(typed);
    if (code) return code;
    context.addIssue({ code: "custom", message: "is not a code: eight letters, like BCDF-GHJK" });
    return z.NEVER;
  });

export const userCodeParamsSchema = z.object({ code: userCodeSchema });

/** GET /devices: the caller's active devices; `status=all` adds expired and revoked ones; admins may name another user. */
export const listDevicesQuerySchema = z.object({
  status: z.enum(["active", "all"], { error: "must be active or all" }).default("active"),
  userId: idSchema.optional(),
});
