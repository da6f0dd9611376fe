import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { createTunnel, listTunnels } from "@/lib/tunnels/tunnels";
import type { CreateTunnelInput } from "@/lib/validation/tunnels";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// ?status=all includes closed, failed and expired tunnels.
export const GET = withAuth(async ({ req, ctx }) => {
  const status = new URL(req.url).searchParams.get("status") === "all" ? "all" : "open";
  return Response.json({ tunnels: await listTunnels({ ctx, input: { status } }) });
});

export const POST = withAuth(async ({ req, ctx }) => {
  const input = (await readJsonObject(req)) as CreateTunnelInput;
  return Response.json(await createTunnel({ ctx, input }), { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
