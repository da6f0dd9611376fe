import { publicApiRoute } from "@/lib/api/api-route";
import { passkeyChallengeOptions } from "@/lib/auth/passkeys";

// No sign-in: the options of a passkey challenge whose id the sign-in answered once the password was right.
export const { GET, POST, PUT, PATCH, DELETE } = publicApiRoute<{ id: string }>({
  GET: async ({ params }) => Response.json(await passkeyChallengeOptions(params.id)),
});
