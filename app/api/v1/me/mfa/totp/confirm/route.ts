import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { assertSession } from "@/lib/auth/authenticate";
import { confirmTotpEnrolment } from "@/lib/auth/second-factor";
import { secondFactorCheckSchema } from "@/lib/validation/users";

// { "code" }: the app's first code turns it on; the answer's recovery codes are shown only this once.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  POST: async ({ req, ctx, via }) => {
    assertSession(via, "setting up an authenticator app");
    const { code } = await readBody(req, secondFactorCheckSchema);
    return Response.json(await confirmTotpEnrolment({ ctx, input: { code, sessionId: via.via === "session" ? via.sid : null } }));
  },
});
