import { AppWindow, Cable, KeyRound, type LucideIcon, Plug, Server, ShieldCheck, UserRound, Users } from "lucide-react";
import { type AuditFamily, type AuditNames, auditSentence } from "@/lib/audit/audit-sentence";
import { formatWhen } from "@/lib/format";
import type { AuditNewEvent } from "@/lib/realtime/events";

// Each family's colour comes with its icon and its name, never alone.
const FAMILIES: Record<AuditFamily, { label: string; icon: LucideIcon; badge: string; edge: string }> = {
  auth: { label: "sign-in", icon: KeyRound, badge: "bg-violet-100 text-violet-900 dark:bg-violet-900/40 dark:text-violet-200", edge: "border-l-violet-500" },
  user: { label: "user", icon: UserRound, badge: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200", edge: "border-l-sky-500" },
  host: { label: "host", icon: Server, badge: "bg-teal-100 text-teal-900 dark:bg-teal-900/40 dark:text-teal-200", edge: "border-l-teal-500" },
  team: { label: "team", icon: Users, badge: "bg-indigo-100 text-indigo-900 dark:bg-indigo-900/40 dark:text-indigo-200", edge: "border-l-indigo-500" },
  tunnel: { label: "tunnel", icon: Cable, badge: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200", edge: "border-l-emerald-500" },
  connection: { label: "connection", icon: Plug, badge: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200", edge: "border-l-zinc-400" },
  app: { label: "web app", icon: AppWindow, badge: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200", edge: "border-l-amber-500" },
  audit: { label: "audit", icon: ShieldCheck, badge: "bg-rose-100 text-rose-900 dark:bg-rose-900/40 dark:text-rose-200", edge: "border-l-rose-500" },
};

const muted = "text-zinc-600 dark:text-zinc-400";

function FamilyBadge({ family }: { family: AuditFamily }) {
  const { label, icon: Icon, badge } = FAMILIES[family];
  return (
    <span className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${badge}`} data-testid="audit-family">
      <Icon aria-hidden="true" className="size-3.5" />
      {label}
    </span>
  );
}

function Actor({ event }: { event: AuditNewEvent }) {
  const who = event.actorType === "user" ? event.actorEmail : `Warren (${String(event.details.by ?? "system")})`;
  return (
    <span>
      {who}
      {event.actorIp ? ` from ${event.actorIp}` : ""}
    </span>
  );
}

/** The record as stored: its place in the hash chain, then the whole of it as JSON. */
function RawRecord({ event }: { event: AuditNewEvent }) {
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer rounded font-medium text-brand-700 dark:text-brand-300">Details</summary>
      <dl className="mt-2 grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 font-mono text-xs">
        <dt className={muted}>record</dt>
        <dd>{event.seq}</dd>
        <dt className={muted}>previous hash</dt>
        <dd className="break-all">{event.prevHash}</dd>
        <dt className={muted}>hash</dt>
        <dd className="break-all">{event.hash}</dd>
      </dl>
      <pre className="mt-2 rounded bg-zinc-100 p-2 text-xs break-all whitespace-pre-wrap dark:bg-zinc-950" data-testid="audit-json">
        {JSON.stringify(event, null, 2)}
      </pre>
    </details>
  );
}

/** One record: its sentence, its family, when and by whom, and the record itself behind "Details". */
export function AuditRecord({ event, names, fresh }: { event: AuditNewEvent; names: AuditNames; fresh: boolean }) {
  const { sentence, family } = auditSentence(event, names);
  return (
    <li
      data-testid="audit-row"
      className={`rounded-lg border border-l-4 border-zinc-200 p-3 dark:border-zinc-800 ${FAMILIES[family].edge} ${fresh ? "bg-emerald-50 dark:bg-emerald-950/40" : "bg-white dark:bg-zinc-900"}`}
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
        <FamilyBadge family={family} />
        <time dateTime={event.at} className={muted} suppressHydrationWarning>
          {formatWhen(event.at)}
        </time>
        <code className={muted}>{event.action}</code>
      </div>
      <p className="mt-1 text-sm [overflow-wrap:anywhere]" data-testid="audit-sentence">
        {sentence}
      </p>
      <p className={`text-xs [overflow-wrap:anywhere] ${muted}`}>
        <Actor event={event} />
      </p>
      <RawRecord event={event} />
    </li>
  );
}
