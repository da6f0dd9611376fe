import { withAuth } from "@/lib/api/with-auth";

export const GET = withAuth(async ({ user }) => Response.json({ user }));
