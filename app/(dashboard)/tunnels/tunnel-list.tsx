"use client";

import Link from "next/link";
import { useMemo, useRef, useState, type ReactNode } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { useNow } from "@/app/lib/realtime-provider";
import { PAGE, reloadTunnels, useLiveTunnels } from "@/app/lib/use-live-tunnels";
import { matchesSearch, matchesStatus, sortTunnels, type Sort, type SortKey, type StatusFilter } from "@/lib/tunnels/tunnel-filter";
import type { TunnelDto } from "@/lib/tunnels/tunnels";
import { ApprovalList } from "./approval-list";
import { MoreButton } from "./more-button";
import { RowActions } from "./row-actions";
import { TunnelRow } from "./tunnel-row";
import { TunnelSummary } from "./tunnel-summary";
import { TunnelTable } from "./tunnel-table";
import { TunnelToolbar } from "./tunnel-toolbar";
import { canJoin, type Viewer } from "./viewer";

const ENDED = new Set(["closed", "expired"]);
const EMPTY = "rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400";

type Props = {
  /** The first page, newest first. */
  initial: { tunnels: TunnelDto[]; nextCursor: string | null };
  showEnded: boolean;
  viewer: Viewer;
  /** Requests the viewer may decide; null for someone who decides none (no section). */
  requests: { requests: TunnelDto[]; nextCursor: string | null } | null;
  /** Whether any host is there for the viewer to open a tunnel through. */
  hasHosts: boolean;
  /** Warren's address, for the laptop client's command lines. */
  publicUrl: string;
};

export function TunnelList({ initial, showEnded, viewer, requests, hasHosts, publicUrl }: Props) {
  const [more, setMore] = useState(initial.nextCursor !== null);
  const wanted = useRef(initial.tunnels.length);
  const reload = useMemo(() => reloadTunnels(showEnded ? "?status=all" : "", () => wanted.current, setMore), [showEnded]);
  const { tunnels, rates, resync, replace } = useLiveTunnels(initial.tunnels, reload);
  const loadMore = () => {
    wanted.current = tunnels.length + PAGE;
    resync();
  };
  const now = useNow();
  const [notice, setNotice] = useState("");
  const [failure, setFailure] = useState("");
  const [actionNotice, setActionNotice] = useState("");
  const [actionFailure, setActionFailure] = useState("");
  const [query, setQuery] = useState("");
  const [filter, setFilter] = useState<StatusFilter>("all");
  const [sort, setSort] = useState<Sort | null>(null);
  const visible = showEnded ? tunnels : tunnels.filter((tunnel) => !ENDED.has(tunnel.status));
  const rateOf = (tunnel: TunnelDto) => rates[tunnel.id]?.history.at(-1) ?? 0;
  const shown = sortTunnels(
    visible.filter((tunnel) => matchesStatus(tunnel, filter) && matchesSearch(tunnel, query)),
    sort,
    rateOf,
  );
  const isMine = (tunnel: TunnelDto) => tunnel.ownerId === viewer.id;
  const isShared = (tunnel: TunnelDto) => !isMine(tunnel) && tunnel.teamId !== null && viewer.teamIds.includes(tunnel.teamId);
  const mine = shown.filter(isMine);
  const shared = shown.filter(isShared);
  const others = shown.filter((tunnel) => !isMine(tunnel) && !isShared(tunnel));
  // Empty because of the search or filter, not because there is nothing.
  const narrowed = query.trim() !== "" || filter !== "all";

  const sortBy = (key: SortKey) =>
    setSort((current) => ({ key, direction: current?.key === key && current.direction === "ascending" ? "descending" : "ascending" }));

  /** A tunnel as an action answered it: in place, or (a reopened one, new) with the list loaded again. */
  function changed(fresh: TunnelDto, message: string) {
    if (tunnels.some((tunnel) => tunnel.id === fresh.id)) replace(fresh);
    else resync();
    setActionFailure("");
    setActionNotice(message);
  }

  function failed(message: string) {
    setActionNotice("");
    setActionFailure(message);
  }

  async function join(tunnel: TunnelDto) {
    try {
      const joined = await apiFetch<TunnelDto>(`/tunnels/${encodeURIComponent(tunnel.id)}/join`, { method: "POST" });
      const me = joined.participants.find((participant) => participant.userId === viewer.id);
      setFailure("");
      setNotice(`Joined ${tunnel.ownerEmail}'s tunnel${me ? `: ${me.source} may connect` : ""}.`);
      resync();
    } catch (error) {
      setNotice("");
      setFailure(errorMessage(error));
    }
  }

  const table = (id: string, list: TunnelDto[], action?: (tunnel: TunnelDto) => ReactNode) =>
    list.length === 0 ? (
      <p className={EMPTY}>No tunnels here match the search or the status filter.</p>
    ) : (
      <TunnelTable
        labelledBy={`${id}-heading`}
        tunnels={list}
        showOwner={id !== "mine"}
        sort={sort}
        onSort={sortBy}
        row={(tunnel) => (
          <TunnelRow
            key={tunnel.id}
            tunnel={tunnel}
            showNode={viewer.severalNodes}
            showOwner={id !== "mine"}
            history={rates[tunnel.id]?.history ?? []}
            now={now}
            actions={
              <>
                {action?.(tunnel)}
                <RowActions tunnel={tunnel} viewer={viewer} publicUrl={publicUrl} onChanged={changed} onFailure={failed} />
              </>
            }
          />
        )}
      />
    );

  return (
    <div className="space-y-8">
      {requests ? <ApprovalList initial={requests} now={now} /> : null}
      <div className="space-y-3">
        <TunnelSummary tunnels={visible} filter={filter} onFilter={setFilter} />
        <TunnelToolbar query={query} onQuery={setQuery} filter={filter} onFilter={setFilter} />
        <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
          {actionNotice}
        </p>
        <FormAlert>{actionFailure}</FormAlert>
      </div>
      <Section id="mine" title="Mine">
        {mine.length === 0 && !narrowed ? (
          <p className={EMPTY}>
            You have no open tunnels.{" "}
            {hasHosts ? (
              <>
                <Link href="/tunnels/new" className="underline underline-offset-4">
                  Open one
                </Link>
                .
              </>
            ) : viewer.isAdmin ? (
              <>
                There is no host to open one through yet:{" "}
                <Link href="/hosts" className="underline underline-offset-4">
                  add a host
                </Link>{" "}
                first.
              </>
            ) : (
              "No host is available to you yet: an admin, or an owner of one of your teams, adds one."
            )}
          </p>
        ) : (
          table("mine", mine)
        )}
      </Section>
      {viewer.teamIds.length > 0 ? (
        <Section id="shared" title="Shared with my teams">
          <p role="status" className="text-sm text-zinc-700 dark:text-zinc-300">
            {notice}
          </p>
          <FormAlert>{failure}</FormAlert>
          {shared.length === 0 && !narrowed ? (
            <p className={EMPTY}>Nothing is shared with your teams right now.</p>
          ) : (
            table("shared", shared, (tunnel) => <SharedAction tunnel={tunnel} viewer={viewer} onJoin={() => void join(tunnel)} />)
          )}
        </Section>
      ) : null}
      {others.length > 0 ? (
        <Section id="others" title="Everyone else's">
          {table("others", others)}
        </Section>
      ) : null}
      {more ? <MoreButton onClick={loadMore}>Show older tunnels</MoreButton> : null}
    </div>
  );
}

/** Where the viewer stands on a tunnel shared with their team: joined (from where), or a Join button. */
function SharedAction({ tunnel, viewer, onJoin }: { tunnel: TunnelDto; viewer: Viewer; onJoin: () => void }) {
  const joined = tunnel.participants.find((participant) => participant.userId === viewer.id);
  if (joined) return <span className="text-sm text-zinc-700 dark:text-zinc-300">Joined from {joined.source}</span>;
  if (!canJoin(tunnel, viewer)) return null;
  return (
    <button
      type="button"
      onClick={onJoin}
      aria-label={`Join ${tunnel.ownerEmail}'s tunnel`}
      className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700"
    >
      Join
    </button>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="space-y-3">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}
