import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { createAuditSink, listAuditSinks } from "@/lib/audit/audit-sinks";
import { createAuditSinkSchema } from "@/lib/validation/integrations";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx }) => Response.json({ sinks: await listAuditSinks({ ctx }) }),
  POST: async ({ req, ctx }) => Response.json(await createAuditSink({ ctx, input: await readBody(req, createAuditSinkSchema) }), { status: 201 }),
});
