import { apiRoute } from "@/lib/api/api-route";
import { sessionTokenFromCookieHeader } from "@/lib/auth/authenticate";
import { listSessions } from "@/lib/auth/session-admin";
import { sessionIdOf } from "@/lib/auth/sessions";

// Your browser sessions; the one this request comes from is `current`.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ req, ctx, user }) => {
    const current = await sessionIdOf(sessionTokenFromCookieHeader(req.headers.get("cookie")));
    return Response.json({ sessions: await listSessions({ ctx, input: { userId: user.id, current } }) });
  },
});
