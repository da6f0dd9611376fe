import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { assertSession, sessionTokenFromCookieHeader } from "@/lib/auth/authenticate";
import { sessionIdOf } from "@/lib/auth/sessions";
import { changeOwnPassword } from "@/lib/users";
import { changePasswordSchema } from "@/lib/validation/users";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  // From Warren's own pages only: a token (even one's own) cannot change the password behind it.
  POST: async ({ req, ctx, via }) => {
    assertSession(via, "changing your password");
    const input = await readBody(req, changePasswordSchema);
    const keepSession = await sessionIdOf(sessionTokenFromCookieHeader(req.headers.get("cookie")));
    await changeOwnPassword({ ctx, input: { ...input, keepSession } });
    return Response.json({ changed: true });
  },
});
