// For server components: the signed-in user as a domain Ctx, or a redirect to sign-in.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { userCtx } from "@/lib/auth/authenticate";
import { getSessionUser } from "@/lib/auth/session-user";

export async function requireSessionCtx() {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  return { user, ctx: userCtx(user, await headers()) };
}
