import { apiRoute } from "@/lib/api/api-route";
import { withdrawInvitation } from "@/lib/teams/teams";

// Owners and admins take back an invitation not yet answered; answers the team.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string; invitationId: string }>({
  DELETE: async ({ ctx, params }) => Response.json(await withdrawInvitation({ ctx, input: { teamId: params.id, invitationId: params.invitationId } })),
});
