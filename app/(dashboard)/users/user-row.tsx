"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { CELL } from "@/app/components/stacked-cell";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { PasswordLinkDto } from "@/lib/auth/password-links";
import { SessionList } from "../session-list";
import { ROLE_SELECT } from "../teams/member-row";
import { PasswordLinkNotice } from "./create-user-form";
import type { UserView } from "./user-view";
import { formatWhen } from "@/lib/format";

/** One person: their role (a select), status, how they sign in, and the admin's actions on them. */
export function UserRow({ user, self }: { user: UserView; self: boolean }) {
  const router = useRouter();
  const [error, setError] = useState("");
  const [link, setLink] = useState<PasswordLinkDto | null>(null);
  // Sessions are asked for when someone opens the list, not for every row at once.
  const [sessionsOpen, setSessionsOpen] = useState(false);
  const path = `/users/${encodeURIComponent(user.id)}`;

  async function change(body: { role: UserView["role"] } | { disabled: boolean }) {
    try {
      await apiFetch(path, { method: "PATCH", body });
      setError("");
      router.refresh();
    } catch (failure) {
      setError(errorMessage(failure));
      router.refresh();
    }
  }

  async function resetLink() {
    setLink(await apiFetch<PasswordLinkDto>(`${path}/password-link`, { method: "POST" }));
  }

  return (
    <>
      <tr className="block border-t border-zinc-100 py-2 align-top md:table-row md:py-0 dark:border-zinc-800">
        <th scope="row" className={`${CELL} text-left font-normal`} data-label="Person">
          <span className="font-medium break-all">{user.email}</span>
          {user.name ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">{user.name}</span> : null}
        </th>
        <td className={CELL} data-label="Role">
          <select
            aria-label={`Role of ${user.email}`}
            value={user.role}
            onChange={(event) => void change({ role: event.target.value === "admin" ? "admin" : "user" })}
            className={ROLE_SELECT}
          >
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </select>
        </td>
        <td className={CELL} data-label="Status">
          {user.disabled ? "Disabled" : "Active"}
        </td>
        <td className={CELL} data-label="Signs in with">
          {user.sso ? "Single sign-on" : "Password"}
        </td>
        <td className={CELL} data-label="Second factor">
          {user.sso ? "at the identity provider" : user.secondFactor ? "set up" : "none"}
        </td>
        <td className={CELL} data-label="Last sign-in" suppressHydrationWarning>
          {formatWhen(user.lastSignInAt)}
        </td>
        <td className={`${CELL} space-y-2 md:text-right`} data-label="Actions">
          {self ? null : user.disabled ? (
            <ConfirmAction
              label={`Enable ${user.email}`}
              confirmLabel="Yes, enable"
              question={<p>Let {user.email} sign in again? Their tokens work again; their closed tunnels stay closed.</p>}
              onConfirm={() => change({ disabled: false })}
            />
          ) : (
            <ConfirmAction
              label={`Disable ${user.email}`}
              confirmLabel="Yes, disable"
              danger
              question={<p>Disable {user.email}? Their sessions, tokens, sockets and tunnels end at once.</p>}
              onConfirm={() => change({ disabled: true })}
            />
          )}
          {user.secondFactor && !self ? (
            <ConfirmAction
              label={`Remove second factor of ${user.email}`}
              confirmLabel="Yes, remove it"
              danger
              question={
                <p>
                  Remove {user.email}&apos;s authenticator app and passkeys (they lost them)? They sign in with their password alone until they set up new ones.
                </p>
              }
              onConfirm={async () => {
                await apiFetch(`${path}/mfa`, { method: "DELETE" });
                router.refresh();
              }}
            />
          ) : null}
          {user.disabled ? null : (
            <ConfirmAction
              label={`Reset password of ${user.email}`}
              confirmLabel="Yes, make a link"
              question={<p>Make a one-time link that sets a new password for {user.email}? It works for 24 hours; using it signs them out everywhere.</p>}
              onConfirm={resetLink}
            />
          )}
        </td>
      </tr>
      <tr className="block md:table-row">
        <td colSpan={7} className="block px-3 pb-3 md:table-cell">
          <FormAlert>{error}</FormAlert>
          {link ? <PasswordLinkNotice email={user.email} link={link} /> : null}
          <details className="text-sm" onToggle={(event) => setSessionsOpen(event.currentTarget.open)}>
            <summary className="cursor-pointer font-medium text-brand-700 dark:text-brand-300">Sessions of {user.email}</summary>
            {sessionsOpen ? <SessionList basePath={`${path}/sessions`} label={`Sessions of ${user.email}`} /> : null}
          </details>
        </td>
      </tr>
    </>
  );
}
