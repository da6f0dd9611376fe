import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { extendTunnel } from "@/lib/tunnels/tunnels";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// { "ttlMinutes": 60 }: the tunnel now expires that long from now.
export const POST = withAuth<{ id: string }>(async ({ req, ctx, params }) => {
  const { ttlMinutes } = await readJsonObject(req);
  return Response.json(await extendTunnel({ ctx, input: { id: params.id, ttlMinutes } }));
});

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
