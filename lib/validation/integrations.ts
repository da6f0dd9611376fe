// Audit sinks: the settings of one set in the environment (lib/config.ts) or
// added by an admin on the Integrations page, checked alike.
import { z } from "zod";

export const webhookUrlSchema = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });
export const webhookSecretSchema = z.string().min(16, { error: "must be at least 16 characters: it is the key of the bodies' HMAC-SHA256 signature" });
const SYSLOG_TARGET = /^(tcp|tls):\/\/(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?\/?$/;
export const syslogSchema = z
  .string()
  .trim()
  .regex(SYSLOG_TARGET, { error: "must be tcp://host:port or tls://host:port" })
  .transform((value) => {
    const [, scheme, ipv6, name, port] = SYSLOG_TARGET.exec(value)!;
    const protocol = scheme === "tls" ? "tls" : "tcp";
    // RFC 6587's and RFC 5425's ports when none is given.
    return { protocol, host: (ipv6 ?? name)!, port: port ? Number(port) : protocol === "tls" ? 6514 : 601 } as const;
  })
  .refine(({ port }) => port >= 1 && port <= 65535, { error: "must name a port between 1 and 65535" });

/** A sink's name: an admin's choice, not one of those the environment's sinks take. */
export const RESERVED_SINK_NAMES = ["webhook", "syslog", "file"];
const sinkNameSchema = z
  .string({ error: "is required" })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: "must be 1-40 letters, digits and dashes" })
  .refine((name) => !RESERVED_SINK_NAMES.includes(name), { error: "is taken by the sinks set in the environment: choose another" });

/** A sink an admin adds: a webhook or a syslog collector (files are set in the environment only: a page must not write the server's files). */
export const createAuditSinkSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({
      kind: z.literal("webhook"),
      name: sinkNameSchema,
      url: z.string({ error: "is required" }).trim().pipe(webhookUrlSchema),
      secret: z.string({ error: "is required" }).trim().pipe(webhookSecretSchema),
    }),
    z.object({ kind: z.literal("syslog"), name: sinkNameSchema, target: z.string({ error: "is required" }).pipe(syslogSchema) }),
  ],
  { error: "kind: must be webhook or syslog" },
);
export type CreateAuditSinkInput = z.output<typeof createAuditSinkSchema>;
