import ipaddr from "ipaddr.js";
import { z } from "zod";

export const portSchema = z
  .number({ error: "must be a number" })
  .int({ error: "must be a whole number" })
  .min(1, { error: "must be between 1 and 65535" })
  .max(65535, { error: "must be between 1 and 65535" });

// A DNS name or an IP literal; what the SSH host or the bastion will resolve.
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;

export const networkHostSchema = z
  .string({ error: "is required" })
  .trim()
  .min(1, { error: "is required" })
  // All-digit dotted names (999.1.1.1) are mistyped addresses, not host names.
  .refine((value) => (HOSTNAME.test(value) && !/^[\d.]+$/.test(value)) || ipaddr.isValid(value.replace(/^\[|\]$/g, "")), {
    error: "must be a host name or an IP address",
  })
  .transform((value) => value.replace(/^\[|\]$/g, ""));

export const ipAddressSchema = z
  .string({ error: "is required" })
  .trim()
  .refine((value) => ipaddr.isValid(value), { error: "must be an IP address" });

export const cidrSchema = z
  .string()
  .trim()
  .refine((value) => {
    try {
      ipaddr.parseCIDR(value.includes("/") ? value : `${value}/${ipaddr.parse(value).kind() === "ipv4" ? 32 : 128}`);
      return true;
    } catch {
      return false;
    }
  }, { error: "must be an IP address or CIDR range like 10.1.2.0/24" });

export const idSchema = z.string({ error: "is required" }).min(1, { error: "is required" }).max(64);
