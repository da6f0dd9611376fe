import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { assertSession } from "@/lib/auth/authenticate";
import { changeOwnPassword } from "@/lib/users";
import { changePasswordSchema } from "@/lib/validation/users";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  // From Warren's own pages only: a token (even one's own) cannot change the password behind it.
  POST: async ({ req, ctx, via }) => {
    assertSession(via, "changing your password");
    const input = await readBody(req, changePasswordSchema);
    const keepSession = via.via === "session" ? via.sid : null;
    await changeOwnPassword({ ctx, input: { ...input, keepSession } });
    return Response.json({ changed: true });
  },
});
