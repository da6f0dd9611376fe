import { withAuth } from "@/lib/api/with-auth";
import { verifyAuditChain } from "@/lib/audit/audit-log";
import { requireAdmin } from "@/lib/auth/require-admin";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = withAuth(async ({ ctx }) => {
  requireAdmin(ctx, "verify the audit trail");
  return Response.json(await verifyAuditChain());
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
