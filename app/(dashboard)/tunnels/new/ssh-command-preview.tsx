import { CopyableCode } from "@/app/components/copyable-code";

/** The OpenSSH command that does what Warren will do, once there is enough to write it. */
export function SshCommandPreview({ command, missing }: { command: string | null; missing: string }) {
  return (
    <section aria-labelledby="ssh-command-heading" className="space-y-2">
      <h2 id="ssh-command-heading" className="text-sm font-semibold">
        The same with OpenSSH
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Warren runs this for you on the bastion; you do not need to.</p>
      {command ? (
        <CopyableCode text={command} copyLabel="Copy command" testId="ssh-command" />
      ) : (
        <p className="rounded-md border border-dashed border-zinc-400 p-3 text-sm text-zinc-600 dark:border-zinc-600 dark:text-zinc-400">{missing}</p>
      )}
    </section>
  );
}
