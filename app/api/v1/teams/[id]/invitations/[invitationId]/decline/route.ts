import { withAuth } from "@/lib/api/with-auth";
import { declineInvitation } from "@/lib/teams/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string; invitationId: string };

// The invited person says no: the invitation goes.
export const POST = withAuth<Params>(async ({ ctx, params }) => Response.json(await declineInvitation({ ctx, input: { teamId: params.id, invitationId: params.invitationId } })));

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
