"use client";

// The Account page's Notifications section: which kinds to hear about on which
// channel, the person's own Slack webhook, and a test send per channel.
import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SaveRow } from "@/app/components/save-row";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import type { NotificationChannel, NotificationSettingsDto } from "@/lib/notifications/notification-kinds";
import { notificationSettingsSchema } from "@/lib/validation/notifications";
import { NotificationChoices } from "./notification-choices";
import { SlackWebhookField, type WebhookChange } from "./slack-webhook-field";
import { TestNotificationButton } from "./test-notification-button";

const FIELDS = ["slackWebhookUrl"] as const;
const NOTE = "text-sm text-zinc-600 dark:text-zinc-400";

export function NotificationSettingsForm({ initial }: { initial: NotificationSettingsDto }) {
  const [settings, setSettings] = useState(initial);
  const [choices, setChoices] = useState(initial.choices);
  const [change, setChange] = useState<WebhookChange>("keep");
  const [webhook, setWebhook] = useState("");
  const [status, setStatus] = useState("");
  const { formRef, errors, pending, send } = useApiForm(FIELDS);

  function choose(kind: string, channel: NotificationChannel, on: boolean) {
    setStatus("");
    setChoices((current) => current.map((choice) => (choice.kind === kind ? { ...choice, channels: { ...choice.channels, [channel]: on } } : choice)));
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setStatus("");
    const slackWebhookUrl = change === "remove" ? null : webhook.trim() ? webhook : undefined;
    const body = { choices: Object.fromEntries(choices.map((choice) => [choice.kind, choice.channels])), slackWebhookUrl };
    await send(notificationSettingsSchema.safeParse(body), async (input) => {
      const saved = await apiFetch<NotificationSettingsDto>("/me/notification-settings", { method: "PATCH", body: input });
      setSettings(saved);
      setChoices(saved.choices);
      setChange("keep");
      setWebhook("");
      setStatus("Saved.");
    });
  }

  return (
    <section
      id="notifications"
      aria-labelledby="notifications-heading"
      className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div>
        <h2 id="notifications-heading" className="font-semibold">
          Notifications
        </h2>
        <p className={NOTE}>What Warren tells you about, and where: in the dashboard (the bell), by email, or in Slack.</p>
      </div>
      <form ref={formRef} onSubmit={save} method="post" noValidate className="space-y-4">
        <NotificationChoices
          choices={choices}
          unavailable={{
            email: settings.email.available ? undefined : "notification-email-note",
            slack: settings.slack.webhookSet ? undefined : "notification-slack-note",
          }}
          onChange={choose}
        />
        <p id="notification-email-note" className={NOTE}>
          {settings.email.available
            ? `Email goes to ${settings.email.address}.`
            : "Email is off: no mail server is set (WARREN_SMTP_URL). An admin can set one."}
        </p>
        <p id="notification-slack-note" className={NOTE}>
          {settings.slack.webhookSet ? "Slack messages go to your webhook." : "Slack messages need your webhook: set it below and save."}
        </p>
        <SlackWebhookField
          webhookSet={settings.slack.webhookSet}
          allowedHosts={settings.slack.allowedHosts}
          change={change}
          onChange={(next) => {
            setStatus("");
            setChange(next);
          }}
          value={webhook}
          onValue={setWebhook}
          error={errors.slackWebhookUrl}
        />
        <FormAlert>{errors.form}</FormAlert>
        <SaveRow pending={pending} label="Save notifications" status={status} />
      </form>
      <div className="flex flex-wrap gap-4 border-t border-zinc-100 pt-4 dark:border-zinc-800">
        <TestNotificationButton channel="email" label="Send a test email" sentText={`Sent to ${settings.email.address}.`} />
        <TestNotificationButton channel="slack" label="Send a test Slack message" sentText="Sent to your webhook." />
      </div>
    </section>
  );
}
