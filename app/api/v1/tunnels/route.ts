import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { createTunnel, listTunnels } from "@/lib/tunnels/tunnels";
import type { CreateTunnelInput } from "@/lib/validation/tunnels";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// ?status=all includes closed, failed and expired tunnels; newest first, ?limit= (1-200, default 100)
// a page, ?cursor= the previous page's nextCursor.
export const GET = withAuth(async ({ req, ctx }) => {
  const { status, ...page } = Object.fromEntries(new URL(req.url).searchParams);
  return Response.json(await listTunnels({ ctx, input: { ...page, status: status === "all" ? "all" : "open" } }));
});

export const POST = withAuth(async ({ req, ctx }) => {
  const input = (await readJsonObject(req)) as CreateTunnelInput;
  return Response.json(await createTunnel({ ctx, input }), { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
