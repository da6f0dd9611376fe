// For server components: the signed-in user as a domain Ctx, or a redirect to
// sign-in that comes back to the page.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { userCtx } from "@/lib/auth/authenticate";
import { loginPath, PATH_HEADER } from "@/lib/auth/return-path";
import { getSessionUser } from "@/lib/auth/session-user";

export async function requireSessionCtx() {
  const user = await getSessionUser();
  const requestHeaders = await headers();
  if (!user) redirect(loginPath(requestHeaders.get(PATH_HEADER)));
  return { user, ctx: userCtx(user, requestHeaders) };
}
