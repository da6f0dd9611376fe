import { apiRoute } from "@/lib/api/api-route";
import { endSession } from "@/lib/auth/session-admin";

// End one of your browser sessions (a browser left signed in elsewhere).
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ sessionId: string }>({
  DELETE: async ({ ctx, user, params }) => Response.json(await endSession({ ctx, input: { userId: user.id, sessionId: params.sessionId } })),
});
