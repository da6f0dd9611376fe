// Where Warren's notifications land in tests: a real SMTP server
// (smtp-server, the library nodemailer's authors keep) that keeps every
// message, and a Slack-compatible incoming webhook (node:http) that keeps
// every post by path.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type Mail = { from: string; to: string[]; raw: string; subject: string; text: string };

export type MailServer = {
  url: string;
  port: number;
  mails: Mail[];
  /** Stops listening (connections refused), and starts again on the same port. */
  close(): Promise<void>;
  listen(): Promise<void>;
};

/** The headers and text of a plain message as nodemailer writes one (quoted-printable folded back). */
function parse(raw: string): Pick<Mail, "subject" | "text"> {
  const split = raw.indexOf("\r\n\r\n");
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1] ?? "";
  const body = raw.slice(split + 4);
  const text = /quoted-printable/i.test(headers)
    ? body.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : body;
  return { subject, text };
}

export async function startMailServer(): Promise<MailServer> {
  const mails: Mail[] = [];
  let smtp: SMTPServer | null = null;
  let port = 0;
  const handle: MailServer = {
    url: "",
    port: 0,
    mails,
    listen: () =>
      new Promise<void>((resolve, reject) => {
        smtp = new SMTPServer({
          // Any user and password are taken, over plain TCP: what matters is that Warren sends them.
          authOptional: true,
          allowInsecureAuth: true,
          onAuth: (auth, _session, done) => done(null, { user: auth.username }),
          disabledCommands: ["STARTTLS"],
          logger: false,
          onData(stream, session, done) {
            const chunks: Buffer[] = [];
            stream.on("data", (chunk: Buffer) => chunks.push(chunk));
            stream.on("end", () => {
              const raw = Buffer.concat(chunks).toString("utf8");
              const envelope = session.envelope;
              mails.push({
                from: envelope.mailFrom ? envelope.mailFrom.address : "",
                to: envelope.rcptTo.map((rcpt) => rcpt.address),
                raw,
                ...parse(raw),
              });
              done();
            });
          },
        });
        smtp.once("error", reject);
        smtp.listen(port, "127.0.0.1", () => {
          port = ((smtp as unknown as { server: Server }).server.address() as AddressInfo).port;
          handle.port = port;
          handle.url = `smtp://127.0.0.1:${port}`;
          resolve();
        });
      }),
    close: () => new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve())),
  };
  await handle.listen();
  return handle;
}

export type SlackPost = { path: string; text: string };

export type SlackReceiver = {
  /** The webhook URL for `path`, e.g. url("/approvers"). */
  url(path: string): string;
  posts: SlackPost[];
  close(): Promise<void>;
};

export async function startSlackReceiver(): Promise<SlackReceiver> {
  const posts: SlackPost[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { text: string };
      posts.push({ path: req.url ?? "", text: body.text });
      // A path /status/<code> is a webhook that refuses with that code.
      const refusal = /^\/status\/(\d{3})(\/|$)/.exec(req.url ?? "");
      res.writeHead(refusal ? Number(refusal[1]) : 200, { "content-type": "text/plain" }).end(refusal ? "refused" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
