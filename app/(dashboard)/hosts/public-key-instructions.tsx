import { CopyableCode } from "@/app/components/copyable-code";

type Props = { publicKey: string; username: string };

/** What to install on the host so Warren's key is accepted there. */
export function PublicKeyInstructions({ publicKey, username }: Props) {
  const file = `~${username}/.ssh/authorized_keys`;
  // Names and keys are validated to shell-safe characters, so single quotes suffice.
  const command = `echo '${publicKey}' >> ${file}`;
  return (
    <div className="space-y-3 text-sm">
      <Snippet label={`Add this line to ${file} on the host:`} text={publicKey} copyLabel="Copy key line" />
      <Snippet label="Or run this on the host:" text={command} copyLabel="Copy command" />
      <p className="text-zinc-600 dark:text-zinc-400">Then press “Test” in its row to check that Warren can sign in.</p>
    </div>
  );
}

function Snippet({ label, text, copyLabel }: { label: string; text: string; copyLabel: string }) {
  return (
    <div className="space-y-1">
      <p>{label}</p>
      <CopyableCode text={text} copyLabel={copyLabel} />
    </div>
  );
}
