import type { ReactNode } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import type { HostView } from "./host-view";

type Props = {
  host: Pick<HostView, "name" | "hostKeyStatus" | "hostKeyFingerprint" | "offeredFingerprint">;
  /** Admins only: without it, a changed key is shown but not trusted from here. */
  onTrust?: (fingerprint: string) => Promise<void>;
};

const BADGE = "inline-flex rounded-full px-2 py-0.5 text-xs font-medium";

/** Whether Warren knows this host's key, and the way back when it changed. */
export function HostKeyState({ host, onTrust }: Props) {
  if (host.hostKeyStatus === "trusted") {
    return (
      <div className="space-y-1">
        <span className={`${BADGE} bg-emerald-100 text-emerald-900 dark:bg-emerald-900/40 dark:text-emerald-200`}>trusted</span>
        <Fingerprint value={host.hostKeyFingerprint} />
      </div>
    );
  }
  if (host.hostKeyStatus === "unverified") {
    return (
      <div className="space-y-1">
        <span className={`${BADGE} bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200`}>not yet verified — recorded on first connection</span>
        {host.hostKeyFingerprint ? <Fingerprint value={host.hostKeyFingerprint} /> : null}
      </div>
    );
  }
  const offered = host.offeredFingerprint;
  return (
    <div className="space-y-2">
      <span className={`${BADGE} bg-red-700 text-white dark:bg-red-600`}>CHANGED — refused</span>
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
                Only if you know why the key changed (say, the server was reinstalled) and the host’s own{" "}
                <code className="font-mono">ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> prints the same. Otherwise someone may be intercepting the
                connection.
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
    <code className="block font-mono text-xs break-all text-zinc-800 dark:text-zinc-200">{value}</code>
  ) : (
    <span className="block text-xs text-zinc-600 dark:text-zinc-400">none recorded</span>
  );
}
