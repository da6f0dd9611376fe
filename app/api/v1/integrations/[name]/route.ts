import { apiRoute } from "@/lib/api/api-route";
import { deleteAuditSink } from "@/lib/audit/audit-sinks";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ name: string }>({
  DELETE: async ({ ctx, params }) => {
    await deleteAuditSink({ ctx, name: params.name });
    return Response.json({ name: params.name, removed: true });
  },
});
