"use client";

import { OpenInBrowser } from "@/app/components/open-in-browser";
import { AccessLogSection } from "./access-log";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { CopyableCode } from "@/app/components/copyable-code";
import { FormAlert } from "@/app/components/form-alert";
import { StatusBadge } from "@/app/components/status-badge";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import { useNow, useRequestEvents } from "@/app/lib/realtime-provider";
import { useLiveTunnels } from "@/app/lib/use-live-tunnels";
import { formatBytes, formatDuration, formatWhen, timeLeft } from "@/lib/format";
import type { getTunnelHistory, TunnelDto } from "@/lib/tunnels/tunnels";
import { extendedExpiry } from "@/lib/tunnels/tunnel-expiry";
import { tunnelDiagram, endpointText } from "@/lib/tunnels/tunnel-diagram";
import { degradedReason } from "@/lib/tunnels/tunnel-health";
import { laptopLines, tunnelEndpoint, usageHint } from "@/lib/tunnels/usage-hint";
import { wasOpened } from "@/lib/tunnels/request-text";
import type { Viewer } from "../viewer";
import { ParticipantList } from "./participant-list";
import { RequestState } from "./request-state";
import { LiveConnections } from "./live-connections";
import { PathSection } from "./path-section";
import { ThroughputChart } from "./throughput-chart";

type History = Awaited<ReturnType<typeof getTunnelHistory>>;

const OPEN = new Set(["starting", "active", "reconnecting"]);
const card = "rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900";

const EXTENSIONS = [
  [60, "1 hour", "+1 h"],
  [240, "4 hours", "+4 h"],
  [1440, "24 hours", "+24 h"],
] as const;

/** "until 21:56 (+1 h)": what Extend would do, before it is sent (the host's maximum may cap it). */
/** "closes in 12 min unless used", "in use", once it is open; its limit otherwise. */
function idleText(tunnel: Pick<TunnelDto, "status" | "idleMinutes" | "idleClosesAt">, now: number): string {
  const limit = `${formatDuration(tunnel.idleMinutes! * 60_000)} without use`;
  if (tunnel.status !== "active") return limit;
  if (!tunnel.idleClosesAt) return `in use (closes after ${limit})`;
  return `closes in ${formatDuration(Math.max(0, Date.parse(tunnel.idleClosesAt) - now))} unless used`;
}

function extensionPreview(expiresAt: string, minutes: number, now: number): string {
  const until = extendedExpiry(new Date(expiresAt), minutes, undefined, now);
  const sameDay = new Date(now).toDateString() === until.toDateString();
  const time = until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const label = EXTENSIONS.find(([value]) => value === minutes)?.[2] ?? `+${minutes} min`;
  return `until ${sameDay ? time : `${until.toLocaleDateString()} ${time}`} (${label})`;
}

type Props = { initial: TunnelDto; initialHistory: History; viewer: Viewer; mayDecide: boolean; publicUrl: string };

export function TunnelDetail({ initial, initialHistory, viewer, mayDecide, publicUrl }: Props) {
  const [history, setHistory] = useState(initialHistory);
  const [closeError, setCloseError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [extendBy, setExtendBy] = useState<number>(EXTENSIONS[0][0]);
  const [closeReason, setCloseReason] = useState("");
  const reload = useCallback(async () => {
    const [tunnel, fresh] = await Promise.all([apiFetch<TunnelDto>(`/tunnels/${initial.id}`), apiFetch<History>(`/tunnels/${initial.id}/history`)]);
    setHistory(fresh);
    return [tunnel];
  }, [initial.id]);
  const initialList = useMemo(() => [initial], [initial]);
  const { tunnels, resync, replace } = useLiveTunnels(initialList, reload);
  const tunnel = tunnels[0] ?? initial;
  const now = useNow();

  // A new status or connection means new history rows. Reload once things
  // settle: connection records reach the database within a second.
  const historyKey = `${tunnel.status}/${tunnel.connectionsTotal}/${tunnel.connections}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: historyKey is what schedules the reload, though the effect does not read it
  useEffect(() => {
    const timer = setTimeout(resync, 1_200);
    return () => clearTimeout(timer);
  }, [historyKey, resync]);

  // A decision on this tunnel's extension, said where its requester looks (and kept in its history).
  useRequestEvents({
    onResolved: (event) => {
      if (event.tunnelId === tunnel.id && event.type === "extension" && event.reason) setNotice(event.reason);
    },
  });

  const someoneElses = tunnel.ownerId !== viewer.id;
  const manages = viewer.isAdmin || !someoneElses;

  async function perform(run: () => Promise<unknown>, done = "") {
    await run();
    setCloseError(null);
    setNotice(done);
    resync();
  }

  async function act(run: () => Promise<unknown>, done = "") {
    try {
      await perform(run, done);
    } catch (error) {
      setCloseError(errorMessage(error));
    }
  }

  // An approver outside the team it is shared with may not see it once decided: show the answer as it stands.
  function decided(message: string, fresh: TunnelDto) {
    setNotice(message);
    replace(fresh);
    resync();
  }

  /** Closing someone else's tunnel (admins) tells them why, if a reason is given: the owner sees it live. */
  async function close() {
    const reason = closeReason.trim();
    await perform(() => apiFetch(`/tunnels/${tunnel.id}`, { method: "DELETE", body: reason ? { reason } : {} }));
  }

  async function extend(form: HTMLFormElement) {
    const ttlMinutes = Number(new FormData(form).get("extend-by"));
    let asked = false;
    await act(async () => {
      asked = (await apiFetch<TunnelDto>(`/tunnels/${tunnel.id}/extend`, { method: "POST", body: { ttlMinutes } })).extensionRequest !== null;
    });
    // On a host that needs approval the extension is only asked for.
    if (asked) setNotice(`${tunnel.host.name} needs approval: the extension waits for a team owner or an admin.`);
  }

  // While a request waits, how to use it is still worth knowing.
  const opened = wasOpened(tunnel);
  const hint = usageHint(tunnel);
  const toClient = !!tunnel.target && "client" in tunnel.target;
  const degraded = degradedReason(tunnel.status, history.connections);
  return (
    <article aria-labelledby="tunnel-heading" className="space-y-4">
      <header className="flex flex-wrap items-center gap-3">
        <h1 id="tunnel-heading" className="font-mono text-lg font-semibold">
          {tunnelEndpoint(tunnel)}
        </h1>
        <StatusBadge status={tunnel.status} degraded={degraded !== null} />
        <span className="text-sm text-zinc-600 dark:text-zinc-400">
          {tunnel.kind} via {tunnel.host.name}
          {someoneElses ? `, owned by ${tunnel.ownerEmail}` : ""}
          {tunnel.team ? `, shared with ${tunnel.team.name}` : ""}
        </span>
        <OpenInBrowser tunnel={tunnel} />
        {OPEN.has(tunnel.status) && manages ? (
          <div className="ml-auto">
            <ConfirmAction
              label="Close tunnel"
              confirmLabel="Yes, close it"
              danger
              question={
                someoneElses ? (
                  <div className="space-y-2">
                    <p>Close {tunnel.ownerEmail}&rsquo;s tunnel? Its open connections are cut, and they see your reason.</p>
                    <label className="block">
                      Why, for its owner (optional)
                      <input
                        value={closeReason}
                        onChange={(event) => setCloseReason(event.target.value)}
                        maxLength={200}
                        className="mt-1 block w-full rounded-md border border-zinc-500 bg-white px-2 py-1 dark:bg-zinc-950"
                      />
                    </label>
                  </div>
                ) : (
                  <p>Close this tunnel? Open connections through it are cut.</p>
                )
              }
              onConfirm={close}
            />
          </div>
        ) : null}
        <dl className="grid w-full grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-5" data-testid="tunnel-facts">
          <div>
            <dt className="text-zinc-600 dark:text-zinc-400">Owner</dt>
            <dd>{tunnel.ownerEmail}</dd>
          </div>
          <div>
            <dt className="text-zinc-600 dark:text-zinc-400">Host</dt>
            <dd>
              {tunnel.host.name}
              {tunnel.host.address ? <span className="ml-1 font-mono text-zinc-600 dark:text-zinc-400">({tunnel.host.address})</span> : null}
            </dd>
          </div>
          <div>
            <dt className="text-zinc-600 dark:text-zinc-400">Kind</dt>
            <dd>{tunnel.kind}</dd>
          </div>
          <div>
            <dt className="text-zinc-600 dark:text-zinc-400">Created</dt>
            <dd suppressHydrationWarning>{formatWhen(tunnel.createdAt)}</dd>
          </div>
          <div>
            <dt className="text-zinc-600 dark:text-zinc-400">{OPEN.has(tunnel.status) ? "Expires at" : "Ended"}</dt>
            <dd suppressHydrationWarning data-testid="expires-at">
              {OPEN.has(tunnel.status) ? formatWhen(tunnel.expiresAt) : formatWhen(tunnel.closedAt)}
            </dd>
          </div>
        </dl>
      </header>
      {degraded ? (
        <p
          role="status"
          data-testid="degraded-reason"
          className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200"
        >
          Degraded: its last connections all failed. {degraded}
        </p>
      ) : null}
      {/* The request panel below says these two in its own words. */}
      {tunnel.statusReason && tunnel.status !== "pending_approval" && tunnel.status !== "denied" ? (
        <p role="status" className="text-sm">
          {tunnel.statusReason}
        </p>
      ) : null}
      <p role="status" className="text-sm font-medium text-emerald-800 dark:text-emerald-300">
        {notice}
      </p>
      {toClient && opened ? (
        <p data-testid="client-attached" className="text-sm">
          {tunnel.clientAttached
            ? "Your computer is attached: connections at the gateway reach the service your warren expose client points at."
            : "Waiting for your computer: run warren expose (below) there. Until then, connections at the gateway are reset."}
        </p>
      ) : null}
      <FormAlert>{closeError}</FormAlert>
      <RequestState tunnel={tunnel} viewer={viewer} mayDecide={mayDecide} now={now} perform={perform} onDecided={decided} />

      {OPEN.has(tunnel.status) ? (
        <PathSection
          className={card}
          diagram={tunnelDiagram({ kind: tunnel.kind, hostName: tunnel.host.name, listen: tunnel.listen, target: tunnel.target, web: tunnel.webUrl })}
          hop={{
            status: tunnel.status,
            statusReason: tunnel.statusReason,
            kind: tunnel.kind,
            hostName: tunnel.host.name,
            listenAt: tunnel.listen ? endpointText(tunnel.listen.address, tunnel.listen.port) : null,
            target:
              tunnel.target && "host" in tunnel.target
                ? endpointText(tunnel.target.host, tunnel.target.port)
                : tunnel.kind === "dynamic"
                  ? "each destination"
                  : "your computer",
            degraded,
          }}
        />
      ) : null}

      {OPEN.has(tunnel.status) ? (
        <LiveConnections tunnelId={tunnel.id} dynamic={tunnel.kind === "dynamic"} mayKill={manages} now={now} className={card} onKilled={setNotice} />
      ) : null}

      {OPEN.has(tunnel.status) || tunnel.status === "pending_approval" ? (
        <section aria-labelledby="usage-heading" className={card}>
          <h2 id="usage-heading" className="font-semibold">
            How to use it
          </h2>
          {tunnel.kind !== "remote" || toClient ? <LaptopLines tunnel={tunnel} publicUrl={publicUrl} /> : null}
          {hint ? (
            <>
              <p className="mt-3 text-sm">{hint.sentence}</p>
              <div className="mt-2">
                <CopyableCode text={hint.example} />
              </div>
            </>
          ) : null}
          {tunnel.sshCommand ? (
            <>
              <p className="mt-3 mb-1 text-sm text-zinc-600 dark:text-zinc-400">The same tunnel with OpenSSH:</p>
              <CopyableCode text={tunnel.sshCommand} testId="ssh-command" />
            </>
          ) : null}
        </section>
      ) : null}

      {opened ? (
        <section aria-labelledby="counters-heading" className={card}>
          <h2 id="counters-heading" className="font-semibold">
            Traffic
          </h2>
          <dl className="mt-2 grid grid-cols-2 gap-3 text-sm sm:grid-cols-5">
            <div>
              <dt className="text-zinc-600 dark:text-zinc-400">Received</dt>
              <dd data-testid="bytes-in">{formatBytes(tunnel.bytesIn)}</dd>
            </div>
            <div>
              <dt className="text-zinc-600 dark:text-zinc-400">Sent</dt>
              <dd>{formatBytes(tunnel.bytesOut)}</dd>
            </div>
            <div>
              <dt className="text-zinc-600 dark:text-zinc-400">Open connections</dt>
              <dd data-testid="open-connections">{tunnel.connections}</dd>
            </div>
            <div>
              <dt className="text-zinc-600 dark:text-zinc-400">All connections</dt>
              <dd>{tunnel.connectionsTotal}</dd>
            </div>
            <div>
              <dt className="text-zinc-600 dark:text-zinc-400">Expires</dt>
              <dd suppressHydrationWarning data-testid="time-left">
                {OPEN.has(tunnel.status) ? timeLeft(tunnel.expiresAt, now) : "ended"}
              </dd>
            </div>
            {tunnel.idleMinutes ? (
              <div>
                <dt className="text-zinc-600 dark:text-zinc-400">Idle limit</dt>
                <dd suppressHydrationWarning data-testid="idle-left">
                  {idleText(tunnel, now)}
                </dd>
              </div>
            ) : null}
            {tunnel.node ? (
              <div>
                <dt className="text-zinc-600 dark:text-zinc-400">Carried by</dt>
                <dd data-testid="tunnel-node">{tunnel.node}</dd>
              </div>
            ) : null}
          </dl>
          {OPEN.has(tunnel.status) && manages && !tunnel.extensionRequest ? (
            <form
              className="mt-3 flex flex-wrap items-end gap-2 text-sm"
              onSubmit={(event) => {
                event.preventDefault();
                void extend(event.currentTarget);
              }}
            >
              <label className="flex flex-col gap-1">
                Keep it open for another
                <select
                  name="extend-by"
                  value={extendBy}
                  onChange={(event) => setExtendBy(Number(event.target.value))}
                  className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-950"
                >
                  {EXTENSIONS.map(([minutes, label]) => (
                    <option key={minutes} value={minutes}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="submit"
                className="rounded-md border border-zinc-300 px-3 py-1.5 font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
              >
                Extend
              </button>
              <span suppressHydrationWarning data-testid="extension-preview" className="self-center text-zinc-600 dark:text-zinc-400">
                {extensionPreview(tunnel.expiresAt, extendBy, now)}
              </span>
            </form>
          ) : null}
          {OPEN.has(tunnel.status) ? <ThroughputChart bytesIn={tunnel.bytesIn} bytesOut={tunnel.bytesOut} /> : null}
        </section>
      ) : null}

      {opened ? <ParticipantList tunnel={tunnel} viewer={viewer} perform={perform} act={act} /> : null}

      <section aria-labelledby="history-heading" className={card}>
        <h2 id="history-heading" className="font-semibold">
          Status history
        </h2>
        <ol className="mt-2 space-y-1 text-sm" data-testid="status-history">
          {history.events.map((event) => (
            <li key={event.id} className="flex flex-wrap gap-2">
              <time dateTime={event.at} className="text-zinc-600 dark:text-zinc-400" suppressHydrationWarning>
                {new Date(event.at).toLocaleString()}
              </time>
              <StatusBadge status={event.status} />
              {event.reason ? <span>{event.reason}</span> : null}
            </li>
          ))}
        </ol>
      </section>

      {opened && tunnel.web ? <AccessLogSection tunnelId={tunnel.id} className={card} /> : null}

      {opened ? (
        <section aria-labelledby="connections-heading" className={card}>
          <h2 id="connections-heading" className="font-semibold">
            Connections
          </h2>
          {history.connections.length === 0 ? (
            <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">No connection has ended yet.</p>
          ) : (
            <div className="mt-2 overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead>
                  <tr className="text-zinc-600 dark:text-zinc-400">
                    <th scope="col" className="py-1 pr-4 font-medium">
                      From
                    </th>
                    {tunnel.kind === "dynamic" ? (
                      <th scope="col" className="py-1 pr-4 font-medium">
                        To
                      </th>
                    ) : null}
                    <th scope="col" className="py-1 pr-4 font-medium">
                      Received
                    </th>
                    <th scope="col" className="py-1 pr-4 font-medium">
                      Sent
                    </th>
                    <th scope="col" className="py-1 pr-4 font-medium">
                      Duration
                    </th>
                    <th scope="col" className="py-1 pr-4 font-medium">
                      Outcome
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {history.connections.map((connection) => (
                    <tr key={connection.id} className="border-t border-zinc-100 dark:border-zinc-800">
                      <td className="py-1 pr-4 font-mono">{connection.source}</td>
                      {tunnel.kind === "dynamic" ? <td className="py-1 pr-4 font-mono">{connection.destination}</td> : null}
                      <td className="py-1 pr-4">{formatBytes(connection.bytesIn)}</td>
                      <td className="py-1 pr-4">{formatBytes(connection.bytesOut)}</td>
                      <td className="py-1 pr-4">
                        {connection.closedAt ? formatDuration(new Date(connection.closedAt).getTime() - new Date(connection.openedAt).getTime()) : "open"}
                      </td>
                      <td className="py-1 pr-4">{connection.error ?? "ok"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
    </article>
  );
}

/** From a laptop with Node: fetch Warren's client, then carry the tunnel to a port there (or, to the owner's computer, hold its far end). */
function LaptopLines({ tunnel, publicUrl }: { tunnel: TunnelDto; publicUrl: string }) {
  const lines = laptopLines(tunnel, publicUrl);
  const toClient = !!tunnel.target && "client" in tunnel.target;
  return (
    <div data-testid="laptop-lines">
      <p className="mt-1 mb-1 text-sm">
        {toClient
          ? "On your computer (Node 20 or later): fetch the client, then hold the tunnel there; PORT is your service's, such as 8080, or HOST:PORT for a machine only your computer reaches."
          : `From your laptop (Node 20 or later): fetch the client, then open the tunnel on a port of your own machine${tunnel.kind === "dynamic" ? " as a SOCKS5 proxy" : ""}.`}
      </p>
      <div className="space-y-2">
        <CopyableCode text={lines.fetch} testId="fetch-client" />
        <CopyableCode text={lines.run} testId="connect-command" />
      </div>
      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        First time on that laptop? Run <code className="font-mono">node warren.mjs login {publicUrl}</code> before connecting.
      </p>
    </div>
  );
}
