import { LoaderCircle } from "lucide-react";
import { formatAgo } from "@/lib/format";
import { CHECK_STEPS } from "@/lib/host-checks";
import type { HostView } from "./host-view";
import type { useHostTest } from "./use-host-test";

type Host = Pick<HostView, "name" | "lastTest" | "link" | "openTunnels" | "carriers">;

type Props = {
  host: Host;
  test: ReturnType<typeof useHostTest>;
  now: number;
  /** Several nodes share the database: a link held elsewhere is named by its node. */
  showNodes: boolean;
};

const DOT = "size-2 shrink-0 rounded-full";

/** The health cell: the last test (when, and what failed), the SSH link, and the checks of a test run here. */
export function HostHealth({ host, test, now, showNodes }: Props) {
  return (
    <div className="space-y-1 text-sm">
      <LastTest host={host} test={test} now={now} />
      <p data-testid="host-link" className="flex items-center gap-2">
        <span aria-hidden className={`${DOT} ${LINK_DOTS[host.link ?? "none"]}`} />
        {linkText(host, showNodes)}
      </p>
      {test.result ? (
        <details className="text-xs">
          <summary className="cursor-pointer rounded font-medium text-brand-700 dark:text-brand-300">Checks of this test</summary>
          <ol aria-label={`Connection checks for ${host.name}`} className="mt-1 space-y-1">
            {test.result.checks.map((check) => (
              <li key={check.step} className="flex gap-2">
                <span aria-hidden="true" className={check.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}>
                  {check.ok ? "✓" : "✗"}
                </span>
                <span>
                  <span className="sr-only">{check.ok ? "Passed: " : "Failed: "}</span>
                  <span className="font-medium">{CHECK_STEPS[check.step]}</span>
                  <span className="wrap-anywhere text-zinc-700 dark:text-zinc-300"> — {check.message}</span>
                </span>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </div>
  );
}

function LastTest({ host, test, now }: { host: Host; test: Props["test"]; now: number }) {
  if (test.pending) {
    return (
      <p className="flex items-center gap-2">
        <LoaderCircle aria-hidden className="size-3.5 animate-spin" />
        Testing…
      </p>
    );
  }
  const last = host.lastTest;
  return (
    <div data-testid="last-test">
      <p className="flex flex-wrap items-center gap-x-2">
        <span aria-hidden className={`${DOT} ${last ? (last.ok ? "bg-emerald-500" : "bg-red-600") : "bg-zinc-400"}`} />
        {last ? (last.ok ? "Test passed" : "Test failed") : "Not tested yet"}
        {last ? (
          <time dateTime={last.at} title={new Date(last.at).toLocaleString()} suppressHydrationWarning className="text-zinc-600 dark:text-zinc-400">
            {formatAgo(last.at, now)}
          </time>
        ) : null}
      </p>
      {last && !last.ok ? <p className="text-xs wrap-anywhere text-red-700 dark:text-red-400">{last.message}</p> : null}
      {test.error ? <p className="text-xs wrap-anywhere text-red-700 dark:text-red-400">Could not test: {test.error}</p> : null}
    </div>
  );
}

const LINK_DOTS: Record<NonNullable<Host["link"]> | "none", string> = {
  up: "bg-emerald-500",
  connecting: "bg-sky-500",
  waiting: "bg-amber-500",
  down: "bg-red-600",
  none: "bg-zinc-400",
};

function linkText(host: Host, showNodes: boolean): string {
  switch (host.link) {
    case "up":
      return "SSH link up";
    case "connecting":
      return "SSH link connecting";
    case "waiting":
      return "SSH link reconnecting";
    case "down":
      return "SSH link down";
    default:
      if (host.openTunnels === 0) return "No SSH link: no open tunnels";
      return showNodes && host.carriers.length > 0 ? `SSH link on node ${host.carriers.map(({ node }) => node).join(", ")}` : "No SSH link on this node";
  }
}
