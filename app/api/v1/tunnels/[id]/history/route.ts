import { withAuth } from "@/lib/api/with-auth";
import { getTunnelHistory } from "@/lib/tunnels/tunnels";

export const GET = withAuth<{ id: string }>(async ({ ctx, params }) => Response.json(await getTunnelHistory({ ctx, input: params })));
