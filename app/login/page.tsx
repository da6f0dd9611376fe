import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard } from "@/app/components/auth-card";
import { getSessionUser } from "@/lib/auth/session-user";
import { hasUsers } from "@/lib/users";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (!(await hasUsers())) redirect("/setup");
  if (await getSessionUser()) redirect("/tunnels");
  return (
    <AuthCard title="Sign in" intro="Open and manage SSH tunnels on this bastion.">
      <LoginForm />
    </AuthCard>
  );
}
