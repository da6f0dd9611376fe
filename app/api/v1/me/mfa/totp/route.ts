import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { assertSession } from "@/lib/auth/authenticate";
import { removeSecondFactor, startTotpEnrolment } from "@/lib/auth/second-factor";
import { secondFactorCheckSchema } from "@/lib/validation/users";

// From the Account page only: a token cannot change the factors that protect the session behind it.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  // A new secret and its QR code; it counts once its first code confirms it (…/confirm).
  POST: async ({ ctx, via }) => {
    assertSession(via, "setting up an authenticator app");
    return Response.json(await startTotpEnrolment({ ctx }), { status: 201 });
  },
  // { "code" }: a current code or a recovery code turns it off.
  DELETE: async ({ req, ctx, user, via }) => {
    assertSession(via, "removing your authenticator app");
    const { code } = await readBody(req, secondFactorCheckSchema);
    return Response.json(await removeSecondFactor({ ctx, input: { userId: user.id, code } }));
  },
});
