import { CopyButton } from "@/app/components/copy-button";

/** A command, key or token to copy: wrapped rather than scrolled, so a phone shows all of it. */
export function CopyableCode({ text, copyLabel, testId }: { text: string; copyLabel?: string; testId?: string }) {
  return (
    <div className="flex items-start gap-2">
      <pre
        className="min-w-0 flex-1 rounded-md bg-zinc-100 px-3 py-2 font-mono text-sm [overflow-wrap:break-word] whitespace-pre-wrap text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100"
        data-testid={testId}
      >
        <code>{text}</code>
      </pre>
      <CopyButton text={text} label={copyLabel} />
    </div>
  );
}
