import { ApiError } from "@/lib/api/api-error";
import { apiRoute } from "@/lib/api/api-route";
import { assertSession } from "@/lib/auth/authenticate";
import { passkeyChallenge } from "@/lib/auth/passkeys";

// A challenge for proving one of your passkeys again, answered at /me/mfa/verify.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  POST: async ({ user, via }) => {
    assertSession(via, "proving a passkey");
    const challenge = await passkeyChallenge(user.id);
    if (!challenge) throw new ApiError({ code: "conflict", message: "you have no passkey" });
    return Response.json(challenge, { status: 201 });
  },
});
