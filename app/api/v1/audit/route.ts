import { apiRoute } from "@/lib/api/api-route";
import { readQuery } from "@/lib/api/read-input";
import { searchAudit } from "@/lib/audit/audit-query";
import { auditQuerySchema } from "@/lib/validation/audit";

// Admins only: ?actor=&action=tunnel.*&hostId=&tunnelId=&from=&to=&q=&cursor=&limit=
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ req, ctx }) => Response.json(await searchAudit({ ctx, input: readQuery(req, auditQuerySchema) })),
});
