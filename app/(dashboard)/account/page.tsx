import type { Metadata } from "next";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { secondFactorState } from "@/lib/auth/second-factor";
import { listSessions } from "@/lib/auth/session-admin";
import { listDevices } from "@/lib/auth/devices";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import { notificationSettings } from "@/lib/notifications/notification-settings";
import { SignOutButton } from "../sign-out-button";
import { DeviceList } from "./device-list";
import { NotificationSettingsForm } from "./notification-settings-form";
import { PasswordForm } from "./password-form";
import { SecondFactor } from "./second-factor";
import { SessionList } from "../session-list";
import { TokenManager } from "./token-manager";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage() {
  const { user, sid, ctx } = await requireSessionCtx();
  const [tokens, devices, sessions, secondFactor, notifications] = await Promise.all([
    listApiTokens({ ctx, input: { userId: user.id, kind: "personal" } }),
    listDevices({ ctx, input: { userId: user.id, status: "active" } }),
    listSessions({ ctx, input: { userId: user.id, current: sid } }),
    secondFactorState(user.id),
    notificationSettings(user.id, user.role),
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
      <SecondFactor initial={secondFactor} />
      {secondFactor.sso ? null : <PasswordForm />}
      <NotificationSettingsForm initial={notifications} />
      <section aria-labelledby="sessions-heading" className="space-y-2 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id="sessions-heading" className="font-semibold">
          Browser sessions
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Browsers signed in as you. End one you left signed in, or do not recognise.</p>
        <SessionList basePath="/me/sessions" label="Your browser sessions" initial={sessions} />
      </section>
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
