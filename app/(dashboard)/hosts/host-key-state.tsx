import type { ReactNode } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import type { HostView } from "./host-view";

type Host = Pick<HostView, "name" | "hostKeyStatus" | "hostKeyFingerprint" | "hostKeyOrigin" | "offeredFingerprint">;

type Props = {
  host: Host;
  /** Admins only: pins a key (a changed one, or one recorded on first use); without it the state is only shown. */
  onTrust?: (fingerprint: string) => Promise<void>;
};

const BADGE = "inline-flex rounded-full px-2 py-0.5 text-xs font-medium";
const CHECK_ON_HOST = <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code>;

/** The badge for how Warren knows the host's key: pinned by an admin, recorded on first use, none yet, or changed. */
export function HostKeyBadge({ host }: { host: Host }) {
  if (host.hostKeyStatus === "changed") return <span className={`${BADGE} bg-red-700 text-white dark:bg-red-600`}>CHANGED — refused</span>;
  if (host.hostKeyStatus === "unverified")
    return <span className={`${BADGE} bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200`}>none yet</span>;
  if (host.hostKeyOrigin === "first_use")
    return <span className={`${BADGE} bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200`}>recorded on first use</span>;
  return <span className={`${BADGE} bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200`}>pinned</span>;
}

/** The table's cell: the badge, and the start of the fingerprint (the drawer shows it whole). */
export function HostKeyCell({ host }: { host: Host }) {
  const shown = host.hostKeyStatus === "changed" ? host.offeredFingerprint : host.hostKeyFingerprint;
  return (
    <div className="space-y-1">
      <HostKeyBadge host={host} />
      {shown ? (
        <span title={shown} className="block font-mono text-xs text-zinc-700 dark:text-zinc-300">
          {host.hostKeyStatus === "changed" ? "offered " : ""}
          {shown.length > 20 ? `${shown.slice(0, 19)}…` : shown}
        </span>
      ) : (
        <span className="block text-xs text-zinc-600 dark:text-zinc-400">recorded on first connection</span>
      )}
    </div>
  );
}

/** Whether Warren knows this host's key and how, with the way to pin it or to trust a changed one. */
export function HostKeyState({ host, onTrust }: Props) {
  if (host.hostKeyStatus === "unverified") {
    return (
      <div className="space-y-1">
        <HostKeyBadge host={host} />
        <p className="text-sm text-zinc-700 dark:text-zinc-300">The first connection (a test, or a tunnel) records the key the host offers.</p>
      </div>
    );
  }
  if (host.hostKeyStatus === "trusted") {
    const recorded = host.hostKeyOrigin === "first_use";
    const fingerprint = host.hostKeyFingerprint;
    return (
      <div className="space-y-2">
        <HostKeyBadge host={host} />
        <Fingerprint value={fingerprint} />
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          {recorded
            ? "Warren recorded the key the host offered at its first connection, and refuses any other since. Nobody has compared it with the host's own yet."
            : "An admin gave this fingerprint: Warren refuses any other key."}
        </p>
        {recorded && fingerprint && onTrust ? (
          <ConfirmAction
            label="Pin this key"
            confirmLabel="Yes, pin it"
            question={
              <p>
                Does {CHECK_ON_HOST} on {host.name} print <code className="font-mono break-all">{fingerprint}</code>?
              </p>
            }
            onConfirm={() => onTrust(fingerprint)}
          />
        ) : null}
      </div>
    );
  }
  const offered = host.offeredFingerprint;
  return (
    <div className="space-y-2">
      <HostKeyBadge host={host} />
      <dl className="space-y-1 text-xs">
        <Labelled label="Trusted key">
          <Fingerprint value={host.hostKeyFingerprint} />
        </Labelled>
        <Labelled label="Offered now">
          <Fingerprint value={offered} />
        </Labelled>
      </dl>
      {offered && onTrust ? (
        <ConfirmAction
          label="Trust new key"
          confirmLabel="Yes, trust new key"
          question={
            <>
              <p>
                Trust <code className="font-mono break-all">{offered}</code> for {host.name}?
              </p>
              <p className="mt-1 text-zinc-700 dark:text-zinc-300">
                Only if you know why the key changed (say, the server was reinstalled) and the host’s own {CHECK_ON_HOST} prints the same. Otherwise someone may
                be intercepting the connection.
              </p>
            </>
          }
          onConfirm={() => onTrust(offered)}
        />
      ) : null}
    </div>
  );
}

function Labelled({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="font-medium text-zinc-700 dark:text-zinc-300">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Fingerprint({ value }: { value: string | null }) {
  return value ? (
    <code data-testid="host-key-fingerprint" className="block font-mono text-xs break-all text-zinc-800 dark:text-zinc-200">
      {value}
    </code>
  ) : (
    <span className="block text-xs text-zinc-600 dark:text-zinc-400">none recorded</span>
  );
}
