import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session-user";
import { hasUsers } from "@/lib/users";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  if (!(await hasUsers())) redirect("/setup");
  redirect((await getSessionUser()) ? "/tunnels" : "/login");
}
