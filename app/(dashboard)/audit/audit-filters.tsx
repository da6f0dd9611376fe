"use client";

import { ChevronDown, SlidersHorizontal } from "lucide-react";
import { type FormEvent, useEffect, useState } from "react";
import { AUDIT_ACTIONS } from "@/lib/audit/audit-actions";
import type { AuditFilters } from "@/lib/audit/audit-match";

type Named = { id: string; name?: string; email?: string };

const WEEK_MS = 7 * 86_400_000;
const PREFIXES = [...new Set(AUDIT_ACTIONS.map((action) => action.split(".")[0]))];
const PHONE = "(max-width: 639.98px)";
export const inputClass = "block w-full min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-950";
export const buttonClass = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800";

/** datetime-local values are the browser's local time; the API wants ISO instants. */
const toIso = (local: FormDataEntryValue | null) => (typeof local === "string" && local ? new Date(local).toISOString() : "");
const toLocal = (iso: string | undefined) =>
  iso ? new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "";

/** Shown, or not, by its button; folded by default on a phone, where it would fill the screen. */
function useDisclosure() {
  // undefined until mounted: the CSS folds it on a phone meanwhile.
  const [open, setOpen] = useState<boolean | undefined>(undefined);
  useEffect(() => setOpen(!window.matchMedia(PHONE).matches), []);
  return { open, toggle: () => setOpen((current) => !(current ?? !window.matchMedia(PHONE).matches)) };
}

function QuickViews({ hosts, users, apply }: { hosts: Named[]; users: Named[]; apply: (next: AuditFilters) => void }) {
  const weekAgo = new Date(Date.now() - WEEK_MS).toISOString();
  return (
    <div className="flex flex-wrap gap-4 rounded-lg border border-zinc-200 bg-white p-3 text-sm dark:border-zinc-800 dark:bg-zinc-900">
      <label className="flex flex-wrap items-center gap-2">
        Who reached a host this week:
        <select className={`${inputClass} w-auto`} value="" onChange={(event) => event.target.value && apply({ hostId: event.target.value, from: weekAgo })}>
          <option value="">choose a host…</option>
          {hosts.map((host) => (
            <option key={host.id} value={host.id}>
              {host.name}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-wrap items-center gap-2">
        What a user opened:
        <select
          className={`${inputClass} w-auto`}
          value=""
          onChange={(event) => event.target.value && apply({ actor: event.target.value, action: "tunnel.*" })}
        >
          <option value="">choose a user…</option>
          {users.map((user) => (
            <option key={user.id} value={user.email}>
              {user.email}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function FilterForm({ filters, hosts, apply }: { filters: AuditFilters; hosts: Named[]; apply: (next: AuditFilters) => void }) {
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
  const label = "min-w-0 text-sm";
  return (
    <form onSubmit={submit} aria-label="Filters" className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <label className={label}>
        Actor (email or id)
        <input name="actor" defaultValue={filters.actor} className={inputClass} />
      </label>
      <label className={label}>
        Action
        <select name="action" defaultValue={filters.action ?? ""} className={inputClass}>
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
      <label className={label}>
        Host
        <select name="hostId" defaultValue={filters.hostId ?? ""} className={inputClass}>
          <option value="">any</option>
          {hosts.map((host) => (
            <option key={host.id} value={host.id}>
              {host.name}
            </option>
          ))}
        </select>
      </label>
      <label className={label}>
        Tunnel id
        <input name="tunnelId" defaultValue={filters.tunnelId} className={inputClass} />
      </label>
      <label className={label}>
        From
        <input name="from" type="datetime-local" defaultValue={toLocal(filters.from)} className={inputClass} />
      </label>
      <label className={label}>
        Until
        <input name="to" type="datetime-local" defaultValue={toLocal(filters.to)} className={inputClass} />
      </label>
      <label className={`${label} sm:col-span-2`}>
        Text
        <input name="q" defaultValue={filters.q} placeholder="an address, a name, a reason…" className={inputClass} />
      </label>
      <div className="flex gap-2 sm:col-span-2 lg:col-span-4">
        <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700">
          Search
        </button>
        <button type="button" onClick={() => apply({})} className={buttonClass}>
          Clear
        </button>
      </div>
    </form>
  );
}

/** The quick views and the search form, behind one disclosure button that says how many filters apply. */
export function AuditFilterPanel({
  filters,
  hosts,
  users,
  apply,
}: {
  filters: AuditFilters;
  hosts: Named[];
  users: Named[];
  apply: (next: AuditFilters) => void;
}) {
  const { open, toggle } = useDisclosure();
  const active = Object.values(filters).filter(Boolean).length;
  const shown = open === undefined ? "hidden sm:block" : open ? "block" : "hidden";
  return (
    <div className="space-y-3">
      <button
        type="button"
        onClick={toggle}
        aria-expanded={open ?? undefined}
        aria-controls="audit-filters"
        className={`${buttonClass} inline-flex items-center gap-2`}
      >
        <SlidersHorizontal aria-hidden="true" className="size-4" />
        Filters{active ? ` (${active} applied)` : ""}
        <ChevronDown aria-hidden="true" className={`size-4 transition-transform ${open ? "rotate-180" : ""}`} />
      </button>
      <div id="audit-filters" className={`space-y-3 ${shown}`}>
        <QuickViews hosts={hosts} users={users} apply={apply} />
        <FilterForm key={JSON.stringify(filters)} filters={filters} hosts={hosts} apply={apply} />
      </div>
    </div>
  );
}
