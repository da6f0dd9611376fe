// For server components and server actions: the signed-in user from the
// request's cookies, checked against the database like every API call.
import { cookies } from "next/headers";
import { sessionCookieName, userFromSessionToken } from "@/lib/auth/sessions";

export async function getSessionUser() {
  const store = await cookies();
  return userFromSessionToken(store.get(sessionCookieName())?.value);
}
