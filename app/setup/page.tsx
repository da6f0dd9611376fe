import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuthCard } from "@/app/components/auth-card";
import { setupCodeFile, setupCodeNeeded } from "@/lib/auth/setup-code";
import { getConfig } from "@/lib/config";
import { hasUsers } from "@/lib/users";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create the first admin" };

// Exists only until the first user does; after that it is a 404 for everyone.
export default async function SetupPage() {
  if (await hasUsers()) notFound();
  const config = getConfig();
  return (
    <AuthCard title="Create the first admin" intro="Warren has no users yet. The account you create now can add everyone else.">
      <SetupForm codeFile={setupCodeNeeded(config) ? setupCodeFile(config) : null} />
    </AuthCard>
  );
}
