import { apiRoute } from "@/lib/api/api-route";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  GET: async ({ user }) => Response.json({ user }),
});
