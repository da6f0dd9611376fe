import { CopyButton } from "@/app/components/copy-button";

/** The OpenSSH command that does what Warren will do, once there is enough to write it. */
export function SshCommandPreview({ command, missing }: { command: string | null; missing: string }) {
  return (
    <section aria-labelledby="ssh-command-heading" className="space-y-2">
      <div className="flex items-center justify-between gap-2">
        <h2 id="ssh-command-heading" className="text-sm font-semibold">
          The same with OpenSSH
        </h2>
        {command ? <CopyButton text={command} label="Copy command" /> : null}
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Warren runs this for you on the bastion; you do not need to.</p>
      {command ? (
        <pre className="whitespace-pre-wrap wrap-anywhere rounded-md bg-zinc-100 p-3 text-sm text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100" data-testid="ssh-command">
          <code>{command}</code>
        </pre>
      ) : (
        <p className="rounded-md border border-dashed border-zinc-400 p-3 text-sm text-zinc-600 dark:border-zinc-600 dark:text-zinc-400">{missing}</p>
      )}
    </section>
  );
}
