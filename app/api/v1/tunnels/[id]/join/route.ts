import { withAuth } from "@/lib/api/with-auth";
import { joinTunnel } from "@/lib/tunnels/tunnel-sharing";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// A member of the team it is shared with lets their current address in.
export const POST = withAuth<{ id: string }>(async ({ ctx, params }) => Response.json(await joinTunnel({ ctx, input: params })));

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
