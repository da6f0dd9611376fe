import { apiRoute } from "@/lib/api/api-route";
import { verifyAuditChain } from "@/lib/audit/audit-log";
import { requireAdmin } from "@/lib/auth/require-admin";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx }) => {
    requireAdmin(ctx, "verify the audit trail");
    return Response.json(await verifyAuditChain());
  },
});
