// Sending one notification by email (nodemailer, WARREN_SMTP_URL) or to a
// Slack-compatible incoming webhook. Each throws with a reason a person
// understands when the server or the webhook refuses.
import nodemailer from "nodemailer";
import { getConfig } from "@/lib/config";

export type Message = { title: string; body: string; url: string };

const link = (path: string) => `${getConfig().publicUrl}${path}`;

let transport: { url: string; mailer: nodemailer.Transporter } | undefined;

function mailer(url: string) {
  if (transport?.url !== url) transport = { url, mailer: nodemailer.createTransport(url) };
  return transport.mailer;
}

export async function sendEmail(to: string, message: Message): Promise<void> {
  const smtp = getConfig().notifications.smtp;
  if (!smtp) throw new Error("no mail server is set (WARREN_SMTP_URL)");
  await mailer(smtp.url).sendMail({
    from: smtp.from,
    to,
    subject: message.title,
    text: `${message.body}\n\nOpen it in Warren: ${link(message.url)}\n\n--\nChoose what Warren tells you, and how: ${link("/account#notifications")}\n`,
  });
}

/** Slack's mrkdwn reads &, < and > as markup. */
const escaped = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export async function sendSlack(webhookUrl: string, message: Message): Promise<void> {
  const text = `*${escaped(message.title)}*\n${escaped(message.body)}\n<${link(message.url)}|Open it in Warren>`;
  // A webhook that redirects is not followed: the allowed host is the one posted to.
  const response = await fetch(webhookUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
    redirect: "error",
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`the webhook answered ${response.status} ${response.statusText}`.trim());
}
