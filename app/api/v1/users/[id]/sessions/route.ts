import { apiRoute } from "@/lib/api/api-route";
import { listSessions } from "@/lib/auth/session-admin";
import { getUser } from "@/lib/users";

// Admins: someone's browser sessions.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => {
    const user = await getUser({ ctx, input: params });
    return Response.json({ sessions: await listSessions({ ctx, input: { userId: user.id } }) });
  },
});
