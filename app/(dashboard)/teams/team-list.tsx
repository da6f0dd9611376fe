"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { TeamCard } from "./team-card";
import type { TeamView, TeamViewer } from "./team-view";

/** The teams, with one place that announces what a change did. */
export function TeamList({ teams, viewer }: { teams: TeamView[]; viewer: TeamViewer }) {
  const router = useRouter();
  const [notice, setNotice] = useState("");
  const headingRef = useRef<HTMLHeadingElement>(null);

  function changed(message: string, { gone = false } = {}) {
    setNotice(message);
    // A team that left the page takes the focused button with it.
    if (gone) headingRef.current?.focus();
    router.refresh();
  }

  return (
    <section aria-labelledby="team-list-heading" className="space-y-3">
      <h2 id="team-list-heading" ref={headingRef} tabIndex={-1} className="text-lg font-semibold">
        {viewer.isAdmin ? "All teams" : "My teams"}
      </h2>
      <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
        {notice}
      </p>
      {teams.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {viewer.isAdmin ? "No teams yet. Create the first one below." : "You are in no team yet. A team owner or an admin can add you."}
        </p>
      ) : (
        <ul className="space-y-4">
          {teams.map((team) => (
            <li key={team.id}>
              <TeamCard team={team} viewer={viewer} onChanged={changed} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
