import { withAuth } from "@/lib/api/with-auth";
import { acceptInvitation } from "@/lib/teams/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string; invitationId: string };

// The invited person joins the team; answers the team.
export const POST = withAuth<Params>(async ({ ctx, params }) => Response.json(await acceptInvitation({ ctx, input: { teamId: params.id, invitationId: params.invitationId } })));

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
