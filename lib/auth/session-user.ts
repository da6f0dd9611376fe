// For server components and server actions: the signed-in user from the
// request's cookies, checked against the database like every API call.
import { cookies } from "next/headers";
import { sessionCookieName, sessionFromToken } from "@/lib/auth/sessions";

/** The request's valid session, with whether it must set up a second factor first. */
export async function getSession() {
  const store = await cookies();
  return sessionFromToken(store.get(sessionCookieName())?.value);
}

export async function getSessionUser() {
  return (await getSession())?.user ?? null;
}
