"use client";

import { useRef, type ReactNode, type RefObject } from "react";
import { Dialog } from "@/app/components/dialog";
import { apiFetch } from "@/app/lib/api-fetch";
import type { TeamOption } from "./assignment-fields";
import { HostAssignment } from "./host-assignment";
import { HostConnectionForm } from "./host-connection-form";
import { HostKeyState } from "./host-key-state";
import { HostNodes, type NodeOption } from "./host-nodes";
import { HostPolicySection, PolicySummary } from "./host-policy";
import { connectsAs, type HostView } from "./host-view";
import { PublicKeyInstructions } from "./public-key-instructions";

type Props = {
  /** The host being edited; the drawer is closed without one. */
  host: HostView | undefined;
  onClose: () => void;
  teams: TeamOption[];
  nodes: NodeOption[];
  /** An admin: everything about the host. A team owner chooses which of their teams see it, and sees the rest. */
  canAssignAll: boolean;
  announce: (message: string) => void;
};

/** A host's editors in a drawer beside the table: its connection, host key, who may use it, nodes, policy and public key. */
export function HostDrawer({ host, onClose, teams, nodes, canAssignAll, announce }: Props) {
  return (
    <Dialog
      open={Boolean(host)}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={host ? `Edit ${host.name}` : ""}
      description={
        host ? `Connects as ${connectsAs(host)}.${canAssignAll ? "" : " Its address, credentials, policy and host key are for admins to change."}` : ""
      }
      variant="drawer"
      // An admin starts at the first field; a team owner at the first control.
      initialFocus={() => document.getElementById("name")}
      testId="host-drawer"
    >
      {host ? <HostEditors host={host} teams={teams} nodes={nodes} canAssignAll={canAssignAll} announce={announce} /> : null}
    </Dialog>
  );
}

function HostEditors({ host, teams, nodes, canAssignAll, announce }: Omit<Props, "host" | "onClose"> & { host: HostView }) {
  const keyHeading = useRef<HTMLHeadingElement>(null);

  async function trust(fingerprint: string) {
    await apiFetch(`/hosts/${encodeURIComponent(host.id)}`, { method: "PATCH", body: { hostKeyFingerprint: fingerprint } });
    // The button that was focused goes away with the state it belonged to.
    keyHeading.current?.focus();
    announce(`Pinned ${fingerprint} as the host key of ${host.name}.`);
  }

  return (
    <div className="space-y-6">
      {canAssignAll ? (
        <Section title="Connection">
          <HostConnectionForm host={host} />
        </Section>
      ) : null}
      <Section title="Host key" headingRef={keyHeading}>
        <HostKeyState host={host} onTrust={canAssignAll ? trust : undefined} />
      </Section>
      <Section title="Access, policy and key">
        <div className="space-y-3">
          <HostAssignment host={host} teams={teams} canAssignAll={canAssignAll} />
          {nodes.length > 0 ? <HostNodes host={host} nodes={nodes} canPin={canAssignAll} /> : null}
          {canAssignAll ? (
            <>
              <HostPolicySection host={host} />
              <details className="text-sm">
                <summary className="cursor-pointer rounded font-medium text-brand-700 dark:text-brand-300">Public key</summary>
                <div className="mt-2">
                  <PublicKeyInstructions publicKey={host.publicKey} username={host.username} />
                </div>
              </details>
            </>
          ) : (
            <p className="text-sm">
              <PolicySummary host={host} labelClass="font-medium" />
            </p>
          )}
        </div>
      </Section>
    </div>
  );
}

function Section({ title, headingRef, children }: { title: string; headingRef?: RefObject<HTMLHeadingElement | null>; children: ReactNode }) {
  return (
    <section className="space-y-3 border-t border-zinc-200 pt-4 first:border-t-0 first:pt-0 dark:border-zinc-800">
      <h3 ref={headingRef} tabIndex={headingRef ? -1 : undefined} className="font-semibold">
        {title}
      </h3>
      {children}
    </section>
  );
}
