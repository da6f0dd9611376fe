import { apiRoute } from "@/lib/api/api-route";
import { removeParticipant } from "@/lib/tunnels/tunnel-sharing";

// The owner (or an admin) removes someone who joined; a participant leaves.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string; userId: string }>({
  DELETE: async ({ ctx, params }) => Response.json(await removeParticipant({ ctx, input: params })),
});
