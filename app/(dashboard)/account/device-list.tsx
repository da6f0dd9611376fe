"use client";

import { useRef, useState } from "react";
import { ConfirmAction } from "@/app/components/confirm-action";
import { apiFetch } from "@/app/lib/api-fetch";
import type { DeviceView } from "@/lib/auth/devices";
import { formatWhen } from "@/lib/format";

/** The person's signed-in devices (`warren login`), each revocable at once. */
export function DeviceList({ initial, publicUrl }: { initial: DeviceView[]; publicUrl: string }) {
  const [devices, setDevices] = useState(initial);
  const [announcement, setAnnouncement] = useState("");
  const headingRef = useRef<HTMLHeadingElement>(null);

  async function revoke(device: DeviceView) {
    await apiFetch<DeviceView>(`/devices/${encodeURIComponent(device.id)}`, { method: "DELETE" });
    setDevices((current) => current.filter((row) => row.id !== device.id));
    setAnnouncement(`Revoked ${device.name}: it is signed out.`);
    headingRef.current?.focus();
  }

  return (
    <section aria-labelledby="devices-heading" className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div>
        <h2 id="devices-heading" ref={headingRef} tabIndex={-1} className="font-semibold">
          Devices
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Laptops signed in as you with <code>warren login {publicUrl}</code>, approved on the device page. Each has its own token; revoke one you no longer use
          or do not recognise.
        </p>
      </div>
      <p role="status" className="text-sm">
        {announcement}
      </p>
      {devices.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No device is signed in.</p>
      ) : (
        <ul aria-label="Your devices" className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {devices.map((device) => (
            <li key={device.id} data-testid="device-row" className="flex flex-wrap items-start gap-x-4 gap-y-2 py-3 text-sm">
              <div className="min-w-56 flex-1 space-y-1">
                <p>
                  <span className="font-medium break-all">{device.name}</span> <code className="text-zinc-600 dark:text-zinc-400">{device.prefix}…</code>
                </p>
                <p className="text-zinc-600 dark:text-zinc-400" suppressHydrationWarning>
                  signed in {formatWhen(device.createdAt)}; last used {formatWhen(device.lastUsedAt)}
                  {device.lastUsedIp ? ` from ${device.lastUsedIp}` : ""}; expires {formatWhen(device.expiresAt)}
                </p>
              </div>
              <ConfirmAction
                label={`Revoke ${device.name}`}
                confirmLabel="Yes, revoke"
                danger
                question={<p>Revoke {device.name}? It is refused from its next request on, and must sign in again with warren login.</p>}
                onConfirm={() => revoke(device)}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
