import { z } from "zod";
import { allowedSourcesSchema, idSchema, networkHostSchema, portSchema, ttlMinutesSchema, tunnelKindSchema, tunnelNameSchema } from "@/lib/validation/common";

export const extendTunnelSchema = z.object({ ttlMinutes: ttlMinutesSchema });
export type ExtendTunnel = z.output<typeof extendTunnelSchema>;

export const reasonSchema = z
  .string({ error: "must be text" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(200, { error: "must be at most 200 characters" });

/** Closing, withdrawing or approving: a reason is optional. */
export const optionalReasonSchema = z.object({ reason: reasonSchema.optional() });
export type OptionalReason = z.output<typeof optionalReasonSchema>;

/** A tunnel's connections: `?state=open` the open ones only, without it the recent closed ones too. */
export const listConnectionsQuerySchema = z.object({
  state: z.enum(["open"], { error: 'must be "open", or left out for the recent closed connections too' }).optional(),
});
export type ListConnectionsQuery = z.output<typeof listConnectionsQuerySchema>;

/** A denial always says why: the requester reads it. */
export const denyRequestSchema = z.object({ reason: reasonSchema });
export type DenyRequest = z.output<typeof denyRequestSchema>;

const hostTargetSchema = z.object({ host: networkHostSchema, port: portSchema }, { error: "must be an object with a host and a port" });
const clientTargetSchema = z.strictObject(
  { client: z.literal(true, { error: "must be true: the far end is your own computer, held by warren expose" }) },
  { error: 'must be { "client": true } alone' },
);

/** Where a tunnel leads: a host and port, or (remote) the owner's own computer through `warren expose`. Each shape keeps its own field errors. */
const targetSchema = z.unknown().transform((value, ctx): z.output<typeof hostTargetSchema> | z.output<typeof clientTargetSchema> => {
  const isClient = typeof value === "object" && value !== null && "client" in value;
  const parsed = (isClient ? clientTargetSchema : hostTargetSchema).safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  return z.NEVER;
});

/** Served to the browser at an app host of its own (lib/apps/app-address.ts). */
export const webSchema = z.strictObject(
  {
    scheme: z.enum(["http", "https"], { error: "must be http or https: how Warren speaks to the app" }),
    /** Left out: the target's host and port, as a browser on the SSH host would send. */
    hostHeader: z
      .string({ error: "must be text" })
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9.-]{1,253}(:\d{1,5})?$/, { error: "must be a host name, optionally with :port" })
      .optional(),
    /** An https app whose certificate Warren does not check (self-signed). */
    insecureTls: z.boolean({ error: "must be true or false" }).default(false),
  },
  { error: 'must be an object such as { "scheme": "http" }' },
);
export type WebAccess = z.output<typeof webSchema>;

export const createTunnelSchema = z
  .object({
    kind: tunnelKindSchema,
    hostId: idSchema,
    /** Left out: no name (the id alone finds it). */
    name: tunnelNameSchema.optional(),
    /** Left out (local, dynamic): no port on the bastion at all; the tunnel is used through `warren connect`. */
    listen: z
      .object({ address: networkHostSchema.default("127.0.0.1"), port: portSchema }, { error: "must be an object with a port (and an address)" })
      .nullable()
      .default(null),
    target: targetSchema.optional(),
    /** Left out: the host's default TTL (createTunnel resolves it). */
    ttlMinutes: ttlMinutesSchema.optional(),
    /** Left out: the host's idle limit, if it has one. */
    idleMinutes: ttlMinutesSchema.optional(),
    /** Left out: the requester's own address (applyHostPolicy resolves it); an empty list lets anyone in. */
    allowedSources: allowedSourcesSchema.optional(),
    /** One of the owner's teams to share it with: its members see it and may join. */
    teamId: idSchema.nullable().default(null),
    /** A local tunnel to a web app, opened in the browser through Warren. */
    web: webSchema.nullable().default(null),
    /** Why it is needed: shown to approvers, required when the host needs approval (createTunnel checks). */
    reason: reasonSchema.optional(),
  })
  .superRefine((tunnel, ctx) => {
    if (tunnel.kind === "remote" && !tunnel.listen) {
      ctx.addIssue({ code: "custom", path: ["listen"], message: "is required for a remote tunnel: it is the port opened on the SSH host" });
    }
    if (!tunnel.listen && tunnel.allowedSources) {
      ctx.addIssue({
        code: "custom",
        path: ["allowedSources"],
        message: "must be left out for a tunnel with no port on the bastion: warren connect checks who you are instead",
      });
    }
    if (tunnel.kind === "dynamic" && tunnel.target) {
      ctx.addIssue({ code: "custom", path: ["target"], message: "must be left out for a dynamic tunnel: each SOCKS client names its own" });
    }
    if (tunnel.kind !== "dynamic" && !tunnel.target) {
      ctx.addIssue({ code: "custom", path: ["target"], message: `is required for a ${tunnel.kind} tunnel` });
    }
    if (tunnel.kind === "local" && tunnel.target && "client" in tunnel.target) {
      ctx.addIssue({ code: "custom", path: ["target"], message: "may be your own computer only for a remote tunnel (warren expose)" });
    }
    if (tunnel.web && tunnel.kind !== "local") {
      ctx.addIssue({ code: "custom", path: ["web"], message: "is only for a local tunnel: its target is the web app" });
    }
    if (tunnel.web?.insecureTls && tunnel.web.scheme !== "https") {
      ctx.addIssue({ code: "custom", path: ["web", "insecureTls"], message: "is only for an https app" });
    }
  });
/** A tunnel request as the domain takes it: parsed, its TTL and sources still as asked (maybe left out). */
export type CreateTunnel = z.output<typeof createTunnelSchema>;
