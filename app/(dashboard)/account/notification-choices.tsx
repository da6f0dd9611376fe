import { NOTIFICATION_CHANNELS, type NotificationChannel, type NotificationSettingsDto } from "@/lib/notifications/notification-kinds";

type Choice = NotificationSettingsDto["choices"][number];

export const CHANNEL_LABELS: Record<NotificationChannel, string> = { dashboard: "Dashboard", email: "Email", slack: "Slack" };

type Props = {
  choices: Choice[];
  /** Channels that cannot send now, each with the id of the note saying why. */
  unavailable: Partial<Record<NotificationChannel, string>>;
  onChange: (kind: Choice["kind"], channel: NotificationChannel, on: boolean) => void;
};

/** What to hear about (rows) on which channel (columns); a channel that cannot send shows its choices disabled. */
export function NotificationChoices({ choices, unavailable, onChange }: Props) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="sr-only">What Warren tells you about, and where</caption>
        <thead>
          <tr className="text-left text-zinc-600 dark:text-zinc-400">
            <th scope="col" className="py-1 pr-4 font-medium">
              Notification
            </th>
            {NOTIFICATION_CHANNELS.map((channel) => (
              <th key={channel} scope="col" className="px-2 py-1 text-center font-medium">
                {CHANNEL_LABELS[channel]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {choices.map(({ kind, label, channels }) => (
            <tr key={kind}>
              <th scope="row" className="py-2 pr-4 text-left font-normal">
                {label}
              </th>
              {NOTIFICATION_CHANNELS.map((channel) => (
                <td key={channel} className="px-2 py-2 text-center">
                  <input
                    type="checkbox"
                    aria-label={`${CHANNEL_LABELS[channel]}: ${label}`}
                    checked={channels[channel]}
                    disabled={Boolean(unavailable[channel])}
                    aria-describedby={unavailable[channel]}
                    onChange={(event) => onChange(kind, channel, event.target.checked)}
                    className="size-4 accent-brand-600 disabled:opacity-50 dark:accent-brand-300"
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
