// The Integrations page: an admin sees each audit sink set in the
// environment, where it goes (the webhook without its query), a webhook that
// is down failing with its answer while the file is up to date, and the
// webhook catching up, on its own, once its receiver is back; and adds a
// webhook of their own, which catches up, and removes it.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startWebhookReceiver, type WebhookReceiver } from "../harness/audit-receivers";
import { expect, signIn, test as base } from "./fixtures";

const password = "correct horse battery";
const SECRET = "a webhook secret of some length";

const test = base.extend<{ receiver: WebhookReceiver; fileDir: string }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; this one has none
  receiver: async ({}, use) => {
    const receiver = await startWebhookReceiver(SECRET);
    receiver.mode = "down";
    await use(receiver);
    await receiver.close();
  },
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; this one has none
  fileDir: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "warren-audit-file-"));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  warrenEnv: async ({ receiver, fileDir }, use) => {
    await use({
      WARREN_AUDIT_WEBHOOK_URL: `${receiver.url}?token=receiver-token`,
      WARREN_AUDIT_WEBHOOK_SECRET: SECRET,
      WARREN_AUDIT_FILE: path.join(fileDir, "audit.jsonl"),
    });
  },
});

test("an admin follows the audit sinks' delivery on the Integrations page", async ({ page, warren, receiver, fileDir }) => {
  test.setTimeout(120_000);
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  await signIn(page, "admin@example.com", password);
  await page.getByRole("link", { name: "Integrations" }).click();
  await expect(page.getByRole("heading", { name: "Integrations" })).toBeVisible();

  const webhook = page.getByTestId("sink-webhook");
  const file = page.getByTestId("sink-file");
  await expect(webhook).toContainText(receiver.url);
  await expect(webhook).not.toContainText("receiver-token");
  await expect(webhook).toContainText("the webhook answered 503", { timeout: 30_000 });
  await expect(file).toContainText(path.join(fileDir, "audit.jsonl"));
  await expect(file).toContainText("up to date", { timeout: 30_000 });

  receiver.mode = "up";
  await expect(webhook).toContainText("up to date", { timeout: 60_000 });
  await expect(webhook.getByRole("cell").nth(2)).toHaveText("0");
  expect(receiver.has(1, 2)).toBe(true);

  // An admin adds a webhook of their own, then removes it.
  const form = page.getByRole("region", { name: "Add a sink" });
  await form.getByLabel("Name").fill("siem");
  await form.getByLabel("URL").fill(`${receiver.url}?key=receiver-key`);
  await form.getByLabel("Secret").fill(SECRET);
  await form.getByRole("button", { name: "Add sink" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added siem." })).toBeVisible();
  const siem = page.getByTestId("sink-siem");
  await expect(siem).toContainText(receiver.url);
  await expect(siem).not.toContainText("receiver-key");
  await expect(siem).toContainText("up to date", { timeout: 30_000 });
  await siem.getByRole("button", { name: "Remove" }).click();
  await siem.getByRole("button", { name: "Yes, remove it" }).click();
  await expect(siem).toHaveCount(0);
  await expect(webhook).toBeVisible();
});
