import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { AuthCard } from "@/app/components/auth-card";
import { FormAlert } from "@/app/components/form-alert";
import { afterSignIn } from "@/lib/auth/return-path";
import { getSessionUser } from "@/lib/auth/session-user";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { getConfig } from "@/lib/config";
import { hasUsers } from "@/lib/users";
import { LoginForm } from "./login-form";
import { SsoButton } from "./sso-button";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

type Params = { next?: string | string[]; error?: string | string[]; local?: string | string[] };
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function LoginPage({ searchParams }: { searchParams: Promise<Params> }) {
  if (!(await hasUsers())) redirect("/setup");
  const params = await searchParams;
  // Where the person was going (a device's sign-in to approve, say), if it is one of Warren's pages.
  const next = afterSignIn(params.next);
  if (await getSessionUser()) redirect(next);
  const { oidc, passwordLogin } = getConfig();
  // With password sign-in off the form is still there for admins (break-glass), one link away.
  const showPassword = passwordLogin || params.local !== undefined;
  const localHref = `/login?local&next=${encodeURIComponent(next)}`;
  return (
    <AuthCard title="Sign in" intro="Open and manage SSH tunnels on this bastion.">
      <FormAlert className="mb-4">{signInErrorMessage(first(params.error))}</FormAlert>
      {oidc && <SsoButton name={oidc.name} next={next} />}
      {oidc && showPassword && <p className="my-4 text-center text-xs text-zinc-500 dark:text-zinc-400">or with your Warren password</p>}
      {showPassword && <LoginForm next={next} />}
      {!showPassword && (
        <p className="mt-4 text-center text-xs">
          <Link href={localHref} className="text-zinc-600 underline dark:text-zinc-400">
            Admin sign-in with a password
          </Link>
        </p>
      )}
    </AuthCard>
  );
}
