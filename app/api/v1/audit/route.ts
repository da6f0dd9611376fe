import { withAuth } from "@/lib/api/with-auth";
import { searchAudit } from "@/lib/audit/audit-query";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// Admins only: ?actor=&action=tunnel.*&hostId=&tunnelId=&from=&to=&q=&cursor=&limit=
export const GET = withAuth(async ({ req, ctx }) =>
  Response.json(await searchAudit({ ctx, input: Object.fromEntries(new URL(req.url).searchParams) })),
);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
