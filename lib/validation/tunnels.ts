import { z } from "zod";
import { cidrSchema, idSchema, networkHostSchema, portSchema } from "@/lib/validation/common";

export const tunnelKindSchema = z.enum(["local", "remote", "dynamic"], { error: "must be local, remote or dynamic" });

export const MAX_TTL_MINUTES = 7 * 24 * 60;

const ttlSchema = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number of minutes" })
  .min(1, { error: "must be at least 1 minute" })
  .max(MAX_TTL_MINUTES, { error: `must be at most ${MAX_TTL_MINUTES} minutes (7 days)` });

export const extendTunnelSchema = z.object({ ttlMinutes: ttlSchema });

const reasonSchema = z.string({ error: "must be text" }).trim().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" });

export const closeTunnelSchema = z.object({ reason: reasonSchema.optional() });

export const approveRequestSchema = z.object({ reason: reasonSchema.optional() });

/** A denial always says why: the requester reads it. */
export const denyRequestSchema = z.object({ reason: reasonSchema });

export const createTunnelSchema = z
  .object({
    kind: tunnelKindSchema,
    hostId: idSchema,
    listen: z.object(
      { address: networkHostSchema.default("127.0.0.1"), port: portSchema },
      { error: "must be an object with a port (and an address)" },
    ),
    target: z
      .object({ host: networkHostSchema, port: portSchema }, { error: "must be an object with a host and a port" })
      .optional(),
    // Left out, the host's default TTL applies (createTunnel); 60 is what a form shows first.
    ttlMinutes: ttlSchema.default(60),
    allowedSources: z.array(cidrSchema).max(32, { error: "can list at most 32 ranges" }).default([]),
    /** One of the owner's teams to share it with: its members see it and may join. */
    teamId: idSchema.nullable().default(null),
  })
  .superRefine((tunnel, ctx) => {
    if (tunnel.kind === "dynamic" && tunnel.target) {
      ctx.addIssue({ code: "custom", path: ["target"], message: "must be left out for a dynamic tunnel: each SOCKS client names its own" });
    }
    if (tunnel.kind !== "dynamic" && !tunnel.target) {
      ctx.addIssue({ code: "custom", path: ["target"], message: `is required for a ${tunnel.kind} tunnel` });
    }
  });
export type CreateTunnelInput = z.input<typeof createTunnelSchema>;
export type CreateTunnel = z.output<typeof createTunnelSchema>;
