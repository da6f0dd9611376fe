import { apiRoute } from "@/lib/api/api-route";
import { readQuery } from "@/lib/api/read-input";
import { listApprovals } from "@/lib/tunnels/approvals";
import { pageQuerySchema } from "@/lib/validation/page";

// Requests the caller may decide, oldest first; ?limit= (1-200, default 100) a page, ?cursor= the
// previous page's nextCursor (a page may hold fewer than its limit: follow nextCursor until it is null).
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ req, ctx }) => Response.json(await listApprovals({ ctx, input: readQuery(req, pageQuerySchema) })),
});
