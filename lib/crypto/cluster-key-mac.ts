// What the nodes sharing a database compare their keys by (server/nodes/cluster-keys.ts):
// a MAC of each key under itself, which tells whether two keys are the same
// without storing either.
import { createHmac } from "node:crypto";

export const clusterKeyMac = (key: Buffer | string, setting: "WARREN_SECRET_KEY" | "AUTH_SECRET") =>
  createHmac("sha256", key).update(`warren cluster key check: ${setting}`).digest("hex");
