import { TextField } from "@/app/components/text-field";

/** What Save does with the webhook: keep the one set, replace it with the typed one, or remove it. */
export type WebhookChange = "keep" | "replace" | "remove";

type Props = {
  webhookSet: boolean;
  allowedHosts: string[];
  change: WebhookChange;
  onChange: (change: WebhookChange) => void;
  value: string;
  onValue: (value: string) => void;
  error?: string;
};

const QUIET_BUTTON = "rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800";

/** The person's own Slack-compatible incoming webhook: a secret, so once saved it only shows as set. */
export function SlackWebhookField({ webhookSet, allowedHosts, change, onChange, value, onValue, error }: Props) {
  const hosts = `Its host must be ${allowedHosts.length === 1 ? allowedHosts[0] : `one of ${allowedHosts.join(", ")}`}.`;
  if (webhookSet && change !== "replace") {
    return (
      <div className="space-y-2">
        <p className="text-sm font-medium">Slack webhook URL</p>
        <p className="text-sm" data-testid="slack-webhook-state">
          {change === "remove" ? "It will be removed when you save." : "Set. Warren does not show it again."}
        </p>
        <div className="flex flex-wrap gap-2">
          {change === "remove" ? (
            <button type="button" onClick={() => onChange("keep")} className={QUIET_BUTTON}>
              Keep it
            </button>
          ) : (
            <>
              <button type="button" onClick={() => onChange("replace")} className={QUIET_BUTTON}>
                Replace
              </button>
              <button type="button" onClick={() => onChange("remove")} className={QUIET_BUTTON}>
                Remove
              </button>
            </>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="max-w-xl space-y-2">
      <TextField
        label="Slack webhook URL"
        name="slackWebhookUrl"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(event) => onValue(event.target.value)}
        error={error}
        hint={`An incoming webhook of Slack, or of a chat that takes Slack's messages, for your own notifications. ${hosts}`}
      />
      {webhookSet ? (
        <button type="button" onClick={() => onChange("keep")} className={QUIET_BUTTON}>
          Keep the one set
        </button>
      ) : null}
    </div>
  );
}
