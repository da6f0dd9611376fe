import { apiRoute } from "@/lib/api/api-route";
import { createResetLink } from "@/lib/auth/password-links";

// Admins: a one-time link (24 hours) that sets a new password; using it ends the person's sessions.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  POST: async ({ ctx, params }) => Response.json(await createResetLink({ ctx, input: { userId: params.id } }), { status: 201 }),
});
