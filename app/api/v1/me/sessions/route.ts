import { apiRoute } from "@/lib/api/api-route";
import { listSessions } from "@/lib/auth/session-admin";

// Your browser sessions; the one this request comes from is `current`.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx, user, via }) => {
    const current = via.via === "session" ? via.sid : null;
    return Response.json({ sessions: await listSessions({ ctx, input: { userId: user.id, current } }) });
  },
});
