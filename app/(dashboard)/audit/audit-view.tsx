"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { useAuditEvents } from "@/app/lib/realtime-provider";
import { AUDIT_ACTIONS } from "@/lib/audit/audit-actions";
import { matchesAuditFilters, type AuditFilters } from "@/lib/audit/audit-match";
import type { AuditNewEvent } from "@/lib/realtime/events";
import { PageHeading } from "@/app/components/page-heading";

type Page = { events: AuditNewEvent[]; nextCursor: number | null };
type Named = { id: string; name?: string; email?: string };
type Verify = { ok: true; checked: number; lastSeq: number } | { ok: false; checked: number; firstProblem: { seq: number; problem: string } };

const WEEK_MS = 7 * 86_400_000;
const input = "block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950";
const button = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800";
const PREFIXES = [...new Set(AUDIT_ACTIONS.map((action) => action.split(".")[0]))];

function query(filters: AuditFilters, extra: Record<string, string> = {}) {
  return new URLSearchParams({ ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value)), ...extra }).toString();
}

function summary(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" · ");
}

/** datetime-local values are the browser's local time; the API wants ISO instants. */
const toIso = (local: FormDataEntryValue | null) => (typeof local === "string" && local ? new Date(local).toISOString() : "");
const toLocal = (iso: string | undefined) =>
  iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "";

export function AuditView({ initial, filters, hosts, users }: { initial: Page; filters: AuditFilters; hosts: Named[]; users: Named[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [page, setPage] = useState(initial);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [verify, setVerify] = useState<Verify | null>(null);
  const hostName = new Map(hosts.map((host) => [host.id, host.name]));

  useEffect(() => setPage(initial), [initial]);

  useAuditEvents((records) => {
    const matching = records.filter((event) => matchesAuditFilters(event, filters));
    if (matching.length === 0) return;
    setPage((current) => {
      const known = new Set(current.events.map((event) => event.seq));
      const added = matching.filter((event) => !known.has(event.seq)).reverse(); // newest first, as listed
      return added.length === 0 ? current : { ...current, events: [...added, ...current.events] };
    });
    setFresh((current) => new Set([...current, ...matching.map((event) => event.seq)]));
  });

  const apply = (next: AuditFilters) => router.push(`${pathname}?${query(next)}`);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    apply({
      actor: text("actor"),
      action: text("action"),
      hostId: text("hostId"),
      tunnelId: text("tunnelId"),
      q: text("q"),
      from: toIso(form.get("from")),
      to: toIso(form.get("to")),
    });
  }

  async function more() {
    if (!page.nextCursor) return;
    try {
      const next = await apiFetch<Page>(`/audit?${query(filters, { cursor: String(page.nextCursor) })}`);
      setPage((current) => ({ events: [...current.events, ...next.events], nextCursor: next.nextCursor }));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }

  async function runVerify() {
    setVerify(null);
    setVerify(await apiFetch<Verify>("/audit/verify"));
  }

  const weekAgo = new Date(Date.now() - WEEK_MS).toISOString();
  const hostOptions = hosts.map((host) => (
    <option key={host.id} value={host.id}>
      {host.name}
    </option>
  ));
  return (
    <section aria-labelledby="audit-heading" className="space-y-4">
      <PageHeading id="audit-heading" title="Audit">
        <button type="button" onClick={() => void runVerify()} className={`${button} ml-auto`}>
          Verify chain
        </button>
        <a className={button} href={`/api/v1/audit/export?${query(filters, { format: "csv" })}`}>
          Export CSV
        </a>
        <a className={button} href={`/api/v1/audit/export?${query(filters, { format: "jsonl" })}`}>
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

      <div className="flex flex-wrap gap-4 rounded-lg border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
        <label className="flex items-center gap-2">
          Who reached a host this week:
          <select className={input} value="" onChange={(event) => event.target.value && apply({ hostId: event.target.value, from: weekAgo })}>
            <option value="">choose a host…</option>
            {hostOptions}
          </select>
        </label>
        <label className="flex items-center gap-2">
          What a user opened:
          <select className={input} value="" onChange={(event) => event.target.value && apply({ actor: event.target.value, action: "tunnel.*" })}>
            <option value="">choose a user…</option>
            {users.map((user) => (
              <option key={user.id} value={user.email}>
                {user.email}
              </option>
            ))}
          </select>
        </label>
      </div>

      <form onSubmit={submit} aria-label="Filters" className="grid grid-cols-2 gap-3 sm:grid-cols-4" key={query(filters)}>
        <label className="text-sm">
          Actor (email or id)
          <input name="actor" defaultValue={filters.actor} className={input} />
        </label>
        <label className="text-sm">
          Action
          <select name="action" defaultValue={filters.action ?? ""} className={input}>
            <option value="">any</option>
            {PREFIXES.map((prefix) => (
              <option key={prefix} value={`${prefix}.*`}>
                {prefix}.*
              </option>
            ))}
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Host
          <select name="hostId" defaultValue={filters.hostId ?? ""} className={input}>
            <option value="">any</option>
            {hostOptions}
          </select>
        </label>
        <label className="text-sm">
          Tunnel id
          <input name="tunnelId" defaultValue={filters.tunnelId} className={input} />
        </label>
        <label className="text-sm">
          From
          <input name="from" type="datetime-local" defaultValue={toLocal(filters.from)} className={input} />
        </label>
        <label className="text-sm">
          Until
          <input name="to" type="datetime-local" defaultValue={toLocal(filters.to)} className={input} />
        </label>
        <label className="col-span-2 text-sm">
          Text
          <input name="q" defaultValue={filters.q} placeholder="an address, a name, a reason…" className={input} />
        </label>
        <div className="col-span-2 flex gap-2 sm:col-span-4">
          <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
            Search
          </button>
          <button type="button" onClick={() => apply({})} className={button}>
            Clear
          </button>
        </div>
      </form>

      <FormAlert>{error}</FormAlert>
      {page.events.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No records match.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-left text-sm" aria-label="Audit records, newest first">
            <thead className="text-zinc-600 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  #
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  When
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Who
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Action
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Host / tunnel
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Details
                </th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((event) => (
                <tr
                  key={event.seq}
                  data-testid="audit-row"
                  className={`border-t border-zinc-100 align-top dark:border-zinc-800 ${fresh.has(event.seq) ? "bg-emerald-50 dark:bg-emerald-950/40" : ""}`}
                >
                  <td className="px-3 py-2 tabular-nums">{event.seq}</td>
                  <td className="px-3 py-2 whitespace-nowrap" suppressHydrationWarning>
                    <time dateTime={event.at}>{new Date(event.at).toLocaleString()}</time>
                  </td>
                  <td className="px-3 py-2">
                    {event.actorType === "user" ? event.actorEmail : `system (${String(event.details.by ?? "warren")})`}
                    {event.actorIp ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">{event.actorIp}</span> : null}
                  </td>
                  <td className="px-3 py-2 font-mono">{event.action}</td>
                  <td className="px-3 py-2">
                    {event.hostId ? (hostName.get(event.hostId) ?? event.hostId) : ""}
                    {event.tunnelId ? (
                      <a href={`/audit?tunnelId=${event.tunnelId}`} className="block font-mono text-xs underline underline-offset-2">
                        {event.tunnelId}
                      </a>
                    ) : null}
                  </td>
                  <td className="px-3 py-2 break-all">{summary(event.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.nextCursor ? (
        <button type="button" onClick={() => void more()} className={button}>
          Older records
        </button>
      ) : null}
    </section>
  );
}
