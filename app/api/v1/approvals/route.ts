import { withAuth } from "@/lib/api/with-auth";
import { listApprovals } from "@/lib/tunnels/approvals";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// Requests the caller may decide, oldest first.
export const GET = withAuth(async ({ ctx }) => Response.json({ requests: await listApprovals({ ctx }) }));

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
