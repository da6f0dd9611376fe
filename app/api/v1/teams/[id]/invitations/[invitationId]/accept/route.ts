import { apiRoute } from "@/lib/api/api-route";
import { acceptInvitation } from "@/lib/teams/teams";

// The invited person joins the team; answers the team.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string; invitationId: string }>({
  POST: async ({ ctx, params }) => Response.json(await acceptInvitation({ ctx, input: { teamId: params.id, invitationId: params.invitationId } })),
});
