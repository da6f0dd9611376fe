import { apiRoute } from "@/lib/api/api-route";
import { secondFactorState } from "@/lib/auth/second-factor";

// Whether you have a second factor, whether Warren requires one, and how many recovery codes are left.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ user }) => Response.json(await secondFactorState(user.id)),
});
