"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { InvitationDto } from "@/lib/teams/teams";

const ANSWERS = [
  { decision: "accept", label: "Accept", className: "rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700" },
  {
    decision: "decline",
    label: "Decline",
    className: "rounded-md border border-zinc-500 px-3 py-2 text-sm font-semibold hover:bg-zinc-100 dark:hover:bg-zinc-800",
  },
] as const;

/** Teams a team owner invited the viewer to: nothing changes until they
 *  accept. Always mounted, so what an answer did is still announced once
 *  the page refreshes without it. */
export function InvitationList({ invitations }: { invitations: InvitationDto[] }) {
  const router = useRouter();
  const [notice, setNotice] = useState("");
  const [error, setError] = useState("");

  async function answer(invitation: InvitationDto, decision: "accept" | "decline") {
    try {
      await apiFetch(`/teams/${encodeURIComponent(invitation.teamId)}/invitations/${encodeURIComponent(invitation.id)}/${decision}`, { method: "POST" });
      setError("");
      setNotice(decision === "accept" ? `You joined ${invitation.team} as ${invitation.role}.` : `You declined to join ${invitation.team}.`);
      router.refresh();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  return (
    <section aria-labelledby={invitations.length > 0 ? "invitations-heading" : undefined} className="space-y-3">
      {invitations.length > 0 ? (
        <h2 id="invitations-heading" className="text-lg font-semibold">
          Invitations
        </h2>
      ) : null}
      <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
        {notice}
      </p>
      <FormAlert>{error}</FormAlert>
      {invitations.length === 0 ? null : (
        <ul className="space-y-3">
          {invitations.map((invitation) => (
            <li
              key={invitation.id}
              data-testid="invitation"
              className="flex flex-wrap items-center gap-3 rounded-lg border border-zinc-200 bg-white p-4 text-sm dark:border-zinc-800 dark:bg-zinc-900"
            >
              <p className="min-w-56 flex-1">
                <span className="font-medium break-all">{invitation.invitedBy}</span> invites you to{" "}
                <span className="font-medium break-all">{invitation.team}</span> as {invitation.role}. Its owners would decide your requests on its hosts that
                need approval.
              </p>
              {ANSWERS.map(({ decision, label, className }) => (
                <button key={decision} type="button" onClick={() => void answer(invitation, decision)} className={className}>
                  {label}
                  <span className="sr-only"> the invitation to {invitation.team}</span>
                </button>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
