import { apiRoute } from "@/lib/api/api-route";
import { declineInvitation } from "@/lib/teams/teams";

// The invited person says no: the invitation goes.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string; invitationId: string }>({
  POST: async ({ ctx, params }) => Response.json(await declineInvitation({ ctx, input: { teamId: params.id, invitationId: params.invitationId } })),
});
