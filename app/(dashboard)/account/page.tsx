import type { Metadata } from "next";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { listDevices } from "@/lib/auth/devices";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import { SignOutButton } from "../sign-out-button";
import { DeviceList } from "./device-list";
import { PasswordForm } from "./password-form";
import { TokenManager } from "./token-manager";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const { user, ctx } = await requireSessionCtx();
  const [tokens, devices] = await Promise.all([
    listApiTokens({ ctx, input: { userId: user.id, kind: "personal" } }),
    listDevices({ ctx, input: { userId: user.id, status: "active" } }),
  ]);
  return (
    <div className="space-y-6">
      <section aria-labelledby="account-heading" className="space-y-1">
        <h1 id="account-heading" className="text-xl font-semibold">
          Account
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Signed in as {user.email}
          {user.name ? ` (${user.name})` : ""}, {user.role === "admin" ? "an admin" : "a user"}.
        </p>
        <SignOutButton />
      </section>
      <PasswordForm />
      <DeviceList initial={devices} publicUrl={getConfig().publicUrl} />
      <TokenManager
        initial={tokens.map((token) => ({
          ...token,
          createdAt: token.createdAt.toISOString(),
          lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
          expiresAt: token.expiresAt?.toISOString() ?? null,
          revokedAt: token.revokedAt?.toISOString() ?? null,
        }))}
      />
    </div>
  );
}
