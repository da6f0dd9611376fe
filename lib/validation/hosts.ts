import { z } from "zod";
import { idSchema, networkHostSchema, portSchema } from "@/lib/validation/common";
import { hostPolicySchema } from "@/lib/validation/host-policy";
import { hostNodesSchema } from "@/lib/validation/nodes";

export const hostNameSchema = z
  .string({ error: "is required" })
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { error: "must be 1-63 letters, digits, dots, dashes or underscores" });

export const sshUsernameSchema = z
  .string({ error: "is required" })
  .trim()
  .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/, { error: "must be a valid login name" });

export const fingerprintSchema = z
  .string()
  .trim()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { error: "must look like SHA256:… as `ssh-keygen -lf` prints it" });

const privateKeySchema = z
  .string()
  .max(16_384, { error: "is too long for a private key" })
  .refine((value) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value), {
    error: "must be a private key in OpenSSH or PEM format (-----BEGIN … PRIVATE KEY-----)",
  });

const hostFields = {
  name: hostNameSchema,
  address: networkHostSchema,
  port: portSchema.default(22),
  username: sshUsernameSchema,
  privateKey: privateKeySchema.optional(),
  passphrase: z.string().max(1024).optional(),
  generateKey: z.boolean().optional(),
  hostKeyFingerprint: fingerprintSchema.optional(),
  policy: hostPolicySchema.partial().optional(),
  /** The Warren nodes that carry its tunnels; left out or empty: any node. */
  nodes: hostNodesSchema.optional(),
  /** Visible to every user, or only to `teamIds`. Left out: everyone unless teams are listed. */
  visibleToAll: z.boolean({ error: "must be true or false" }).optional(),
  teamIds: z
    .array(idSchema)
    .max(50, { error: "can list at most 50 teams" })
    .refine((ids) => new Set(ids).size === ids.length, { error: "must not repeat a team" })
    .optional(),
};

export const createHostSchema = z.object(hostFields).superRefine((host, ctx) => {
  if (Boolean(host.privateKey) === Boolean(host.generateKey)) {
    ctx.addIssue({ code: "custom", path: ["privateKey"], message: "give either a privateKey or generateKey: true" });
  }
});
/** What createHost takes: the parsed body. */
export type CreateHostInput = z.output<typeof createHostSchema>;

export const updateHostSchema = z
  .object({
    name: hostFields.name,
    address: hostFields.address,
    port: portSchema,
    username: hostFields.username,
    privateKey: hostFields.privateKey,
    passphrase: hostFields.passphrase,
    generateKey: z.literal(true, { error: "can only be true (make a new key pair)" }),
    // Setting it (again) is how an admin trusts a host whose key changed.
    hostKeyFingerprint: fingerprintSchema.nullable(),
    policy: hostPolicySchema.partial(),
    nodes: hostNodesSchema,
    visibleToAll: z.boolean({ error: "must be true or false" }),
    teamIds: hostFields.teamIds.unwrap(),
  })
  .partial()
  .superRefine((host, ctx) => {
    if (host.privateKey && host.generateKey) {
      ctx.addIssue({ code: "custom", path: ["privateKey"], message: "give either a privateKey or generateKey: true" });
    }
  });
export type UpdateHostInput = z.output<typeof updateHostSchema>;
