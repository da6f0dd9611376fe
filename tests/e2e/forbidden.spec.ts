// A page that exists but is not for the viewer's role answers 403 with
// Warren's own "You don't have access" page and a way back, inside the
// dashboard; a page that does not exist is still Warren's 404.
import { expect, signIn, test } from "./fixtures";

const password = "correct horse battery";

test("a member gets Warren's 403 page on the admins' pages, and the 404 page still answers for the rest", async ({ page, warren }) => {
  await warren.createUser({ email: "ann@example.com", password });
  await signIn(page, "ann@example.com", password);
  await expect(page).toHaveURL(/\/tunnels$/);

  for (const path of ["/users", "/audit", "/integrations"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(page).toHaveURL(path);
    await expect(page.getByRole("heading", { name: "You don't have access" })).toBeVisible();
    // Within the dashboard: its nav, one main, and the way back.
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expect(page.getByRole("main")).toHaveCount(1);
  }
  await page.getByRole("link", { name: "Back to your tunnels" }).click();
  await expect(page).toHaveURL(/\/tunnels$/);

  const missing = await page.goto("/no-such-page");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "You don't have access" })).toHaveCount(0);
});
