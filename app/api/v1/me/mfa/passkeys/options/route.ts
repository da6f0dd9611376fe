import { apiRoute } from "@/lib/api/api-route";
import { assertSession } from "@/lib/auth/authenticate";
import { passkeyRegistrationOptions } from "@/lib/auth/passkeys";

// What the browser needs to create a passkey (from the Account page only); its challenge lasts five minutes.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  POST: async ({ ctx, via }) => {
    assertSession(via, "adding a passkey");
    return Response.json(await passkeyRegistrationOptions({ ctx }), { status: 201 });
  },
});
