// Single sign-on in Chromium against a real OpenID provider (oidc-provider):
// an admin maps a provider group to a team on the Teams page; a person signs
// in with the provider's button and arrives in that team; a change of groups
// at the provider changes their teams at the next sign-in; a person disabled
// in Warren is turned away with a reason.
import { freePort } from "../harness/free-port";
import { startTestIdp, testIdpEnv, type TestIdp } from "../harness/oidc-idp";
import { expect, signIn, test } from "./fixtures";

const sso = test.extend<{ idpPort: number; idp: TestIdp }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern; this one has none
  idpPort: async ({}, use) => use(await freePort()),
  warrenEnv: async ({ idpPort }, use) => use(testIdpEnv(idpPort)),
  idp: async ({ warren, idpPort }, use) => {
    const idp = await startTestIdp(warren.url, { port: idpPort });
    await use(idp);
    await idp.close();
  },
});

const password = "correct horse battery";

sso("a person signs in through the identity provider and lands in the teams their groups map to", async ({ page, warren, idp, newVisitor }) => {
  await warren.createUser({ email: "admin@example.com", password, admin: true });
  const admin = await warren.createToken("admin@example.com");
  await signIn(page, "admin@example.com", password);
  await page.getByRole("link", { name: "Teams" }).click();
  await page.getByLabel("Team name").fill("dba");
  await page.getByRole("button", { name: "Create team" }).click();
  await page.getByText("Groups from Test IdP").click();
  await page.getByLabel("Group names, separated by commas").fill("db-admins, dba-oncall");
  await page.getByRole("button", { name: "Save groups" }).click();
  await expect(page.getByText("Members of Test IdP groups db-admins, dba-oncall join at sign-in")).toBeVisible();

  idp.people.set("carol-1", { email: "carol@example.com", email_verified: true, name: "Carol Jones", groups: ["db-admins"] });
  idp.signInAs("carol-1");
  const carol = await newVisitor();
  await carol.goto("/login");
  await carol.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await expect(carol.getByTestId("signed-in-as")).toHaveText("carol@example.com");
  await carol.getByRole("link", { name: "Teams" }).click();
  await expect(carol.getByRole("heading", { name: "dba", exact: true })).toBeVisible();
  await expect(carol.getByText("from sign-in groups")).toBeVisible();

  // The provider drops her from the group: the next sign-in takes the team away.
  idp.people.set("carol-1", { email: "carol@example.com", email_verified: true, name: "Carol Jones", groups: [] });
  await carol.getByRole("button", { name: "Sign out" }).click();
  await carol.getByRole("button", { name: "Sign in with Test IdP" }).click();
  await expect(carol.getByTestId("signed-in-as")).toHaveText("carol@example.com");
  await carol.getByRole("link", { name: "Teams" }).click();
  await expect(carol.getByRole("heading", { name: "dba", exact: true })).toBeHidden();

  // Disabled in Warren: the provider still vouches for her, Warren does not let her in.
  const users = (await (await fetch(`${warren.url}/api/v1/users`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
    users: { id: string; email: string }[];
  };
  const carolId = users.users.find((user) => user.email === "carol@example.com")!.id;
  const disabled = await fetch(`${warren.url}/api/v1/users/${carolId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify({ disabled: true }),
  });
  expect(disabled.status).toBe(200);
  await carol.goto("/login");
  await carol.getByRole("button", { name: "Sign in with Test IdP" }).click();
  // Scoped to <main>: Next's route announcer is also a role=alert.
  await expect(carol.getByRole("main").getByRole("alert")).toHaveText("Your Warren account is disabled. Ask an admin to enable it.");
  await expect(carol).toHaveURL(/\/login\?error=SsoDisabled$/);
});
