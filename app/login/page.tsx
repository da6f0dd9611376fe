import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/app/components/auth-card";
import { afterSignIn } from "@/lib/auth/return-path";
import { getSessionUser } from "@/lib/auth/session-user";
import { hasUsers } from "@/lib/users";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  if (!(await hasUsers())) redirect("/setup");
  // Where the person was going (a device's sign-in to approve, say), if it is one of Warren's pages.
  const next = afterSignIn((await searchParams).next);
  if (await getSessionUser()) redirect(next);
  return (
    <AuthCard title="Sign in" intro="Open and manage SSH tunnels on this bastion.">
      <LoginForm next={next} />
    </AuthCard>
  );
}
