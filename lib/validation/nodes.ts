import { z } from "zod";

/** A Warren node's name (WARREN_NODE_NAME), as hosts are pinned to it. */
export const nodeNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, { error: "must be a name of letters, digits, dots and dashes (at most 63), e.g. bastion-a" });

/** The nodes a host's tunnels are carried by; empty: any node. */
export const hostNodesSchema = z
  .array(nodeNameSchema, { error: "must be a list of node names" })
  .max(32, { error: "can list at most 32 nodes" })
  .refine((names) => new Set(names).size === names.length, { error: "must not repeat a node" });
