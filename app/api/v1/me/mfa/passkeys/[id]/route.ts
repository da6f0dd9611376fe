import { apiRoute } from "@/lib/api/api-route";
import { assertSession } from "@/lib/auth/authenticate";
import { removePasskey } from "@/lib/auth/passkeys";
import { reconfirmed } from "@/lib/auth/second-factor";

// Removing a passkey needs a session that proved its second factor in the last 15 minutes.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  DELETE: async ({ ctx, params, via }) => {
    assertSession(via, "removing a passkey");
    reconfirmed(via);
    return Response.json(await removePasskey({ ctx, input: params }));
  },
});
