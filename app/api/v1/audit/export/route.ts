import { withAuth } from "@/lib/api/with-auth";
import { exportAudit } from "@/lib/audit/audit-query";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

const CONTENT_TYPES = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson; charset=utf-8" };

// Streams every matching record (same filters as /api/v1/audit), oldest first.
export const GET = withAuth(async ({ req, ctx }) => {
  const { stream, format } = exportAudit({ ctx, input: Object.fromEntries(new URL(req.url).searchParams) });
  const name = `warren-audit-${new Date().toISOString().slice(0, 10)}.${format}`;
  return new Response(stream, { headers: { "content-type": CONTENT_TYPES[format], "content-disposition": `attachment; filename="${name}"` } });
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
