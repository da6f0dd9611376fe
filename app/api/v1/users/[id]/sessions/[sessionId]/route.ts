import { apiRoute } from "@/lib/api/api-route";
import { endSession } from "@/lib/auth/session-admin";
import { getUser } from "@/lib/users";

// Admins end one of someone's browser sessions.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string; sessionId: string }>({
  DELETE: async ({ ctx, params }) => {
    const user = await getUser({ ctx, input: params });
    return Response.json(await endSession({ ctx, input: { userId: user.id, sessionId: params.sessionId } }));
  },
});
