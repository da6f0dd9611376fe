import { withAuth } from "@/lib/api/with-auth";
import { withdrawInvitation } from "@/lib/teams/teams";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string; invitationId: string };

// Owners and admins take back an invitation not yet answered; answers the team.
export const DELETE = withAuth<Params>(async ({ ctx, params }) => Response.json(await withdrawInvitation({ ctx, input: { teamId: params.id, invitationId: params.invitationId } })));

export const { GET, POST, PUT, PATCH } = methodNotAllowed("DELETE");
