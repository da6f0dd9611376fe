import { withAuth } from "@/lib/api/with-auth";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = withAuth(async ({ user }) => Response.json({ user }));

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
