import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { assertSession } from "@/lib/auth/authenticate";
import { addPasskey, listPasskeys } from "@/lib/auth/passkeys";
import { addPasskeySchema } from "@/lib/validation/users";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ ctx }) => Response.json({ passkeys: await listPasskeys({ ctx }) }),
  // { "challengeId", "response", "name"? }: the browser's new passkey, checked against its challenge.
  POST: async ({ req, ctx, via }) => {
    assertSession(via, "adding a passkey");
    const { challengeId, response, name } = await readBody(req, addPasskeySchema);
    const sessionId = via.via === "session" ? via.sid : null;
    return Response.json(await addPasskey({ ctx, input: { challengeId, response: response as never, name, sessionId } }), { status: 201 });
  },
});
