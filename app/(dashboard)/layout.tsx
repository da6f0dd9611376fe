import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ToastProvider } from "@/app/components/toast-provider";
import { ConnectionIndicator, RealtimeProvider } from "@/app/lib/realtime-provider";
import { SecondFactorPrompt } from "@/app/lib/second-factor-prompt";
import { loginPath, PATH_HEADER } from "@/lib/auth/return-path";
import { userCtx } from "@/lib/auth/authenticate";
import { getSession } from "@/lib/auth/session-user";
import { unreadCount } from "@/lib/notifications/notifications";
import { ownedTeams, teamRoles } from "@/lib/teams/team-access";
import { tunnelAttention } from "@/lib/tunnels/tunnel-attention";
import { NavLink } from "./nav-link";
import { NotificationBell } from "./notification-bell";
import { SignOutButton } from "./sign-out-button";
import { TunnelsNavLink } from "./tunnels-nav-link";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  const requestHeaders = await headers();
  const path = requestHeaders.get(PATH_HEADER);
  if (!session) redirect(loginPath(path));
  const { user } = session;
  // WARREN_REQUIRE_MFA: the Account page, where the second factor is set up, is the only page until it is.
  if (session.needsSecondFactorSetup && !path?.startsWith("/account")) redirect("/account");
  // Team owners manage their teams' hosts; the page itself checks again.
  const [roles, unread, attention] = await Promise.all([teamRoles(user.id), unreadCount(user.id), tunnelAttention({ ctx: userCtx(user, requestHeaders) })]);
  const managesHosts = user.role === "admin" || ownedTeams(roles).length > 0;
  return (
    <RealtimeProvider>
      <ToastProvider>
        <div className="min-h-screen">
          <a
            href="#main"
            className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2 dark:focus:bg-zinc-900"
          >
            Skip to content
          </a>
          <header className="border-b border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
            <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
              <span className="font-semibold text-brand-600 dark:text-brand-300">Warren</span>
              <TunnelsNavLink initial={attention} />
              <NavLink href="/tunnels/new">New tunnel</NavLink>
              <NavLink href="/teams">Teams</NavLink>
              {managesHosts ? <NavLink href="/hosts">Hosts</NavLink> : null}
              {user.role === "admin" ? <NavLink href="/users">Users</NavLink> : null}
              {user.role === "admin" ? <NavLink href="/audit">Audit</NavLink> : null}
              {user.role === "admin" ? <NavLink href="/integrations">Integrations</NavLink> : null}
              <NavLink href="/account">Account</NavLink>
              <span className="ml-auto flex items-center gap-3">
                <ConnectionIndicator />
                <NotificationBell initialUnread={unread} />
                <span className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="signed-in-as">
                  {user.email}
                  {user.role === "admin" ? " (admin)" : ""}
                </span>
                <SignOutButton />
              </span>
            </nav>
          </header>
          <main id="main" className="mx-auto max-w-6xl px-4 py-6">
            {children}
          </main>
          <SecondFactorPrompt />
        </div>
      </ToastProvider>
    </RealtimeProvider>
  );
}
