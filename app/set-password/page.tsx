import type { Metadata } from "next";
import { AuthCard } from "@/app/components/auth-card";
import { SetPasswordForm } from "./set-password-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set your password" };

// The secret is in the link's fragment, which only the page's script reads.
export default function SetPasswordPage() {
  return (
    <AuthCard title="Set your password" intro="An admin sent you this one-time link. Choose the password you will sign in to Warren with.">
      <SetPasswordForm />
    </AuthCard>
  );
}
