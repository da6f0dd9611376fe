// The pieces every edge shares (API routes, forms, the CLI, socket payloads):
// each rule lives here once, with the words its error gives.
import ipaddr from "ipaddr.js";
import { z } from "zod";

export const portSchema = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be between 1 and 65535" })
  .max(65535, { error: "must be between 1 and 65535" });

// Dot-separated DNS labels of letters, digits, - and _.
const LABELS = String.raw`[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*`;
/** A DNS name, as a resolver takes it (a trailing dot allowed). */
const HOSTNAME = new RegExp(String.raw`^(?=.{1,253}$)${LABELS}\.?$`);
/** A host name or a *.suffix pattern, as a policy's targets name them. */
export const HOST_PATTERN = new RegExp(String.raw`^(\*\.)?${LABELS}$`);

/** Parses an address or CIDR to [address, prefix] (a bare address is a single host); throws on anything else. */
export function parseRange(value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (value.includes("/")) return ipaddr.parseCIDR(value);
  const address = ipaddr.parse(value);
  return [address, address.kind() === "ipv4" ? 32 : 128];
}

/** Whether `value` is an IP address or a CIDR range. */
export function isAddressOrRange(value: string): boolean {
  try {
    parseRange(value);
    return true;
  } catch {
    return false;
  }
}

// A DNS name or an IP literal; what the SSH host or the bastion will resolve.
export const networkHostSchema = z
  .string({ error: "is required" })
  .trim()
  .min(1, { error: "is required" })
  // All-digit dotted names (999.1.1.1) are mistyped addresses, not host names.
  .refine((value) => (HOSTNAME.test(value) && !/^[\d.]+$/.test(value)) || ipaddr.isValid(value.replace(/^\[|\]$/g, "")), {
    error: "must be a host name or an IP address",
  })
  .transform((value) => value.replace(/^\[|\]$/g, ""));

export const cidrSchema = z.string().trim().refine(isAddressOrRange, { error: "must be an IP address or CIDR range like 10.1.2.0/24" });

/** Who may connect to a tunnel's listener; an empty list lets anyone in. */
export const allowedSourcesSchema = z.array(cidrSchema).max(32, { error: "can list at most 32 ranges" });

/** A tunnel's name: a short slug its owner picks, used wherever an id is (the CLI, the page). */
export const TUNNEL_NAME = /^[a-z][a-z0-9-]{0,31}$/;
export const tunnelNameSchema = z
  .string({ error: "must be text" })
  .trim()
  .regex(TUNNEL_NAME, { error: "must be 1 to 32 lower-case letters, digits and hyphens, starting with a letter" });

export const idSchema = z.string({ error: "is required" }).min(1, { error: "is required" }).max(64);

export const tunnelKindSchema = z.enum(["local", "remote", "dynamic"], { error: "must be local, remote or dynamic" });
export type TunnelKind = z.output<typeof tunnelKindSchema>;
export const TUNNEL_KINDS = tunnelKindSchema.options;

export const MAX_TTL_MINUTES = 7 * 24 * 60;

/** How long a tunnel stays open, or a host lets one. */
export const ttlMinutesSchema = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number of minutes" })
  .min(1, { error: "must be at least 1 minute" })
  .max(MAX_TTL_MINUTES, { error: `must be at most ${MAX_TTL_MINUTES} minutes (7 days)` });
