import { withAuth } from "@/lib/api/with-auth";
import { listApprovals } from "@/lib/tunnels/approvals";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// Requests the caller may decide, oldest first; ?limit= (1-200, default 100) a page, ?cursor= the
// previous page's nextCursor (a page may hold fewer than its limit: follow nextCursor until it is null).
export const GET = withAuth(async ({ req, ctx }) => Response.json(await listApprovals({ ctx, input: Object.fromEntries(new URL(req.url).searchParams) })));

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
