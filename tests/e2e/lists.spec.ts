// Long lists and per-person limits in the browser: the tunnels page shows the
// first page of requests and tunnels and more on request, and a host's
// policy form edits its per-person limits, naming a bad value beside its field.
import { apiClient } from "../harness/api-client";
import { freePortInRange } from "../harness/free-port";
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";
const PAGE = 100;

test("the tunnels page shows a first page of requests and tunnels, and more on request", async ({ page, warren }) => {
  test.setTimeout(180_000);
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  const host = (
    await admin.post<{ id: string }>("/hosts", {
      name: "payments-db",
      address: "127.0.0.1",
      username: "warren",
      generateKey: true,
      policy: { approval: true, maxPendingPerUser: 40 },
    })
  ).body;
  // Three people, 34 requests each: more than a page, within each one's limits.
  for (const who of ["ann", "ben", "cy"]) {
    await warren.createUser({ email: `${who}@example.com`, password });
    const client = apiClient(warren.url, await warren.createToken(`${who}@example.com`));
    for (let n = 0; n < 34; n++) {
      const answer = await client.post<{ status: string }>("/tunnels", {
        hostId: host.id,
        kind: "dynamic",
        reason: "on call",
        listen: { port: await freePortInRange() },
      });
      expect(answer.body.status).toBe("pending_approval");
    }
  }
  await signIn(page, "admin@example.com", password);
  const requests = page.getByTestId("request-row");
  const others = page.getByRole("region", { name: "Everyone else's" }).getByTestId("tunnel-row");
  await expect(requests).toHaveCount(PAGE);
  await expect(others).toHaveCount(PAGE);
  await page.getByRole("button", { name: "Show more requests" }).click();
  await expect(requests).toHaveCount(102);
  await expect(page.getByRole("button", { name: "Show more requests" })).toHaveCount(0);
  await page.getByRole("button", { name: "Show older tunnels" }).click();
  await expect(others).toHaveCount(102);
  await expect(page.getByRole("button", { name: "Show older tunnels" })).toHaveCount(0);
});

test("a host's per-person limits are part of its policy form", async ({ page, warren }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const admin = apiClient(warren.url, await warren.createToken("admin@example.com"));
  await admin.post("/hosts", { name: "db-1", address: "127.0.0.1", username: "warren", generateKey: true });
  await signIn(page, "admin@example.com", password);
  await expect(page.getByRole("heading", { name: "Tunnels" })).toBeVisible();
  await page.goto("/hosts");
  await page.getByRole("button", { name: "Edit db-1" }).click();
  const card = page.getByRole("dialog", { name: "Edit db-1" });
  await card.getByText("Policy", { exact: true }).click();
  const open = card.getByLabel("Open tunnels per person", { exact: true });
  await expect(open).toHaveValue("10");
  await expect(card.getByLabel("Requests waiting per person", { exact: true })).toHaveValue("5");
  await open.fill("0");
  await card.getByRole("button", { name: "Save policy" }).click();
  await expect(open).toHaveAttribute("aria-invalid", "true");
  await expect(open).toBeFocused();
  await expect(card.getByText("must allow at least 1 tunnel")).toBeVisible();
  await open.fill("3");
  await card.getByRole("button", { name: "Save policy" }).click();
  await expect(card.getByText(/Saved the policy of db-1/)).toBeVisible();
  const saved = await admin.get<{ hosts: { policy: { maxOpenPerUser: number } }[] }>("/hosts");
  expect(saved.body.hosts[0]!.policy.maxOpenPerUser).toBe(3);
});
