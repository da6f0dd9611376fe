"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { PageHeading } from "@/app/components/page-heading";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { useAuditEvents } from "@/app/lib/realtime-provider";
import { matchesAuditFilters, type AuditFilters } from "@/lib/audit/audit-match";
import type { AuditNames } from "@/lib/audit/audit-sentence";
import type { AuditNewEvent } from "@/lib/realtime/events";
import { MAX_SEQ } from "@/lib/validation/audit";
import { AuditFilterPanel, buttonClass } from "./audit-filters";
import { AuditRecord } from "./audit-record";

type Page = { events: AuditNewEvent[]; nextCursor: number | null; names: AuditNames };
type Named = { id: string; name?: string; email?: string };
type Verify = { ok: true; checked: number; lastSeq: number } | { ok: false; checked: number; firstProblem: { seq: number; problem: string } };

/** The API's page size limit. */
const MAX_LIMIT = 200;

function query(filters: AuditFilters, extra: Record<string, string> = {}) {
  return new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value)), ...extra }).toString();
}

const mergeNames = (a: AuditNames, b: AuditNames): AuditNames => ({
  hosts: { ...a.hosts, ...b.hosts },
  tunnels: { ...a.tunnels, ...b.tunnels },
  teams: { ...a.teams, ...b.teams },
  users: { ...a.users, ...b.users },
});

/** The ids of these records `names` does not name yet. */
function unnamedIds(records: AuditNewEvent[], names: AuditNames): string[] {
  return records.flatMap((record) => [
    ...(record.hostId && !names.hosts[record.hostId] ? [record.hostId] : []),
    ...(record.tunnelId && !names.tunnels[record.tunnelId] ? [record.tunnelId] : []),
    ...(record.subjectId && !names.users[record.subjectId] && !names.teams[record.subjectId] ? [record.subjectId] : []),
  ]);
}

/** Names for live records that point at what the page has no name for, asked for once per id: the API's page
 *  ending at the newest of them carries them (a removed thing, or a subject that is neither a user nor a team, stays unnamed). */
function useLiveNames(initial: AuditNames, filters: AuditFilters) {
  const [names, setNames] = useState(initial);
  const current = useRef(initial);
  const asked = useRef(new Set<string>());
  useEffect(() => {
    current.current = initial;
    setNames(initial);
  }, [initial]);
  function addNames(more: AuditNames) {
    current.current = mergeNames(current.current, more);
    setNames(current.current);
  }
  async function nameAll(records: AuditNewEvent[]) {
    const missing = unnamedIds(records, current.current).filter((id) => !asked.current.has(id));
    if (missing.length === 0) return;
    for (const id of missing) asked.current.add(id);
    const newest = Math.max(...records.map((record) => record.seq));
    const extra = { cursor: String(Math.min(newest + 1, MAX_SEQ)), limit: String(Math.min(records.length, MAX_LIMIT)) };
    const page = await apiFetch<Page>(`/audit?${query(filters, extra)}`).catch(() => null);
    if (page) addNames(page.names);
  }
  return { names, nameAll, addNames };
}

export function AuditView({ initial, filters, hosts, users }: { initial: Page; filters: AuditFilters; hosts: Named[]; users: Named[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [page, setPage] = useState(initial);
  const { names, nameAll, addNames } = useLiveNames(initial.names, filters);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);

  useEffect(() => setPage(initial), [initial]);

  useAuditEvents((records) => {
    const matching = records.filter((event) => matchesAuditFilters(event, filters));
    if (matching.length === 0) return;
    // Listed once their names are known, so a sentence never shows an id first.
    void nameAll(matching).then(() => {
      setPage((current) => {
        const known = new Set(current.events.map((event) => event.seq));
        const added = matching.filter((event) => !known.has(event.seq));
        const events = [...added, ...current.events].sort((a, b) => b.seq - a.seq);
        return added.length === 0 ? current : { ...current, events };
      });
      setFresh((current) => new Set([...current, ...matching.map((event) => event.seq)]));
    });
  });

  const apply = (next: AuditFilters) => router.push(`${pathname}?${query(next)}`);

  async function more() {
    if (!page.nextCursor) return;
    try {
      const next = await apiFetch<Page>(`/audit?${query(filters, { cursor: String(page.nextCursor) })}`);
      addNames(next.names);
      setPage((current) => ({ ...current, events: [...current.events, ...next.events], nextCursor: next.nextCursor }));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  async function runVerify() {
    setVerify(null);
    setVerify(await apiFetch<Verify>("/audit/verify"));
  }

  return (
    <section aria-labelledby="audit-heading" className="space-y-4">
      <PageHeading id="audit-heading" title="Audit">
        <button type="button" onClick={() => void runVerify()} className={`${buttonClass} ml-auto`}>
          Verify chain
        </button>
        <a className={buttonClass} href={`/api/v1/audit/export?${query(filters, { format: "csv" })}`}>
          Export CSV
        </a>
        <a className={buttonClass} href={`/api/v1/audit/export?${query(filters, { format: "jsonl" })}`}>
          Export JSON lines
        </a>
      </PageHeading>
      {verify ? (
        <p
          role="status"
          data-testid="verify-result"
          className={`text-sm ${verify.ok ? "text-emerald-800 dark:text-emerald-300" : "text-red-700 dark:text-red-400"}`}
        >
          {verify.ok
            ? `The chain is intact: ${verify.checked} records verified, up to record ${verify.lastSeq}.`
            : `The chain is broken at record ${verify.firstProblem.seq}: ${verify.firstProblem.problem}.`}
        </p>
      ) : null}

      <AuditFilterPanel filters={filters} hosts={hosts} users={users} apply={apply} />

      <FormAlert>{error}</FormAlert>
      {page.events.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No records match.</p>
      ) : (
        <ol className="space-y-2" aria-label="Audit records, newest first">
          {page.events.map((event) => (
            <AuditRecord key={event.seq} event={event} names={names} fresh={fresh.has(event.seq)} />
          ))}
        </ol>
      )}
      {page.nextCursor ? (
        <button type="button" onClick={() => void more()} className={buttonClass}>
          Older records
        </button>
      ) : null}
    </section>
  );
}
