import { apiRoute } from "@/lib/api/api-route";
import { readQuery } from "@/lib/api/read-input";
import { exportAudit } from "@/lib/audit/audit-query";
import { auditExportSchema } from "@/lib/validation/audit";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" };

// Streams every matching record (same filters as /api/v1/audit), oldest first.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ req, ctx }) => {
    const { stream, format } = exportAudit({ ctx, input: readQuery(req, auditExportSchema) });
    const name = `warren-audit-${new Date().toISOString().slice(0, 10)}.${format}`;
    return new Response(stream, { headers: { "content-type": CONTENT_TYPES[format], "content-disposition": `attachment; filename="${name}"` } });
  },
});
