// What an app host sends Warren when a person opens a web tunnel's app
// (/apps/launch), and what it gets back on /.warren/auth.
import { z } from "zod";
import { safeReturnPath } from "@/lib/auth/return-path";

/** 32 random bytes, base64url: the state an app host keeps in its cookie, and the code Warren hands back. */
const tokenSchema = z.string({ error: "is required" }).regex(/^[A-Za-z0-9_-]{43}$/, { error: "is not one Warren made" });

export const launchAppSchema = z.object({
  app: z.string({ error: "is required" }).regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: "is not an app's name" }),
  state: tokenSchema,
  /** Where on the app host the person was going. */
  path: z
    .string()
    .optional()
    .transform((path) => (path?.startsWith("/") && !path.startsWith("/.warren/") ? (safeReturnPath(path) ?? "/") : "/")),
});
export type LaunchApp = z.output<typeof launchAppSchema>;

export const appAuthSchema = z.object({ code: tokenSchema, state: tokenSchema });
export type AppAuth = z.output<typeof appAuthSchema>;
