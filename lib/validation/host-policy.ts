import { z } from "zod";
import { HOST_PATTERN, isAddressOrRange, ttlMinutesSchema, tunnelKindSchema } from "@/lib/validation/common";

/** A target a host's policy allows: a CIDR or address, a host name, or *.suffix. */
const targetPatternSchema = z
  .string()
  .trim()
  .refine((value) => HOST_PATTERN.test(value) || isAddressOrRange(value), {
    error: "must be a CIDR (10.0.0.0/8), an address, a host name or a *.suffix pattern",
  });

const portRangeSchema = z
  .string()
  .trim()
  .regex(/^\d{1,5}(-\d{1,5})?$/, { error: "must be a port (5432) or a range (8000-8999)" })
  .refine(
    (value) => {
      const [low, high = low] = value.split("-").map(Number) as [number, number?];
      return low >= 1 && high! <= 65535 && low <= high!;
    },
    { error: "must lie within 1-65535, low to high" },
  );

const perUserLimit = (what: string) =>
  z
    .number({ error: "must be a number" })
    .int({ error: `must be a whole number of ${what}` })
    .min(1, { error: `must allow at least 1 ${what.replace(/s$/, "")}` })
    .max(MAX_PER_USER, { error: `must be at most ${MAX_PER_USER}` });

export const MAX_PER_USER = 1000;

export const hostPolicySchema = z.object({
  kinds: z
    .array(tunnelKindSchema)
    .min(1, { error: "must allow at least one kind" })
    .refine((kinds) => new Set(kinds).size === kinds.length, { error: "must not repeat a kind" }),
  targets: z.array(targetPatternSchema).max(64, { error: "can list at most 64 targets" }),
  ports: z.array(portRangeSchema).max(64, { error: "can list at most 64 ports or ranges" }),
  publicBinds: z.boolean({ error: "must be true or false" }),
  anySource: z.boolean({ error: "must be true or false" }),
  approval: z.boolean({ error: "must be true or false" }),
  /** For requests that name no TTL; above maxTtlMinutes, the maximum applies. */
  defaultTtlMinutes: ttlMinutesSchema,
  maxTtlMinutes: ttlMinutesSchema,
  /** A tunnel with no connection and no bytes for this long closes (null: never); a request may ask for less. */
  idleMinutes: ttlMinutesSchema.nullable().optional(),
  /** Open tunnels (starting, active, reconnecting) one user may have through this host; admins are not limited. */
  maxOpenPerUser: perUserLimit("tunnels"),
  /** Requests one user may have waiting for approval on this host. */
  maxPendingPerUser: perUserLimit("requests"),
});
export type HostPolicy = z.output<typeof hostPolicySchema>;
