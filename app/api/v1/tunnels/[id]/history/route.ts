import { withAuth } from "@/lib/api/with-auth";
import { getTunnelHistory } from "@/lib/tunnels/tunnels";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = withAuth<{ id: string }>(async ({ ctx, params }) => Response.json(await getTunnelHistory({ ctx, input: params })));

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
