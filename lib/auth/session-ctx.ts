// For server components: the signed-in user as a domain Ctx, or a redirect to
// sign-in that comes back to the page.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { userCtx } from "@/lib/auth/authenticate";
import { loginPath, PATH_HEADER } from "@/lib/auth/return-path";
import { getSession } from "@/lib/auth/session-user";

/** `sid`: the session's row, for the pages that mark "this browser". */
export async function requireSessionCtx() {
  const session = await getSession();
  const requestHeaders = await headers();
  if (!session) redirect(loginPath(requestHeaders.get(PATH_HEADER)));
  const { user, sid } = session;
  return { user, sid, ctx: userCtx(user, requestHeaders) };
}
