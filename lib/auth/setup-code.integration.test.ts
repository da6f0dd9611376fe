// Warren reachable beyond loopback: the first-run page needs the one-time
// code from the data directory, which the log points to without showing.
import { readFileSync, statSync, existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api/api-error";
import { prepareSetupCode, setupCodeFile, setupCodeNeeded } from "@/lib/auth/setup-code";
import { getConfig } from "@/lib/config";
import { systemCtx } from "@/lib/context";
import { processGlobals } from "@/lib/process-globals";
import { createFirstAdmin } from "@/lib/users";
import { useTestDatabase } from "@/tests/harness/test-database";
import { startWarren } from "@/tests/harness/warren";

let db: Awaited<ReturnType<typeof useTestDatabase>>;
const admin = { email: "root@example.com", name: "Root", password: "correct horse battery" };

beforeAll(async () => {
  db = await useTestDatabase();
  processGlobals.warrenConfig = { ...getConfig(), publicUrl: "https://warren.example.com" };
});
afterAll(() => db.dispose());

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof ApiError ? error : null),
  );

describe("the setup code", () => {
  it("is needed when Warren listens or is reached beyond loopback", () => {
    expect(setupCodeNeeded({ host: "127.0.0.1", publicUrl: "http://localhost:3000" })).toBe(false);
    expect(setupCodeNeeded({ host: "::1", publicUrl: "http://127.0.0.2:3000" })).toBe(false);
    expect(setupCodeNeeded({ host: "0.0.0.0", publicUrl: "http://127.0.0.1:3000" })).toBe(true);
    expect(setupCodeNeeded({ host: "127.0.0.1", publicUrl: "https://warren.example.com" })).toBe(true);
  });

  it("is written once, for the owner only, and the first admin needs it", async () => {
    const config = getConfig();
    const line = prepareSetupCode(config);
    const file = setupCodeFile(config);
    const code = readFileSync(file, "utf8").trim();
    expect(code).toMatch(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){3}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(line).toBe(`warren: no admin yet: the first-run page https://warren.example.com/setup asks for the setup code in ${file}`);
    prepareSetupCode(config);
    expect(readFileSync(file, "utf8").trim()).toBe(code);

    const ctx = systemCtx("first-run");
    expect(await refusal(createFirstAdmin({ ctx, input: admin }))).toMatchObject({
      field: "setupCode",
      message: `is required: read it from ${file} on the bastion`,
    });
    expect(await refusal(createFirstAdmin({ ctx, input: { ...admin, setupCode: "AAAAA-BBBBB-CCCCC-DDDDD" } }))).toMatchObject({
      field: "setupCode",
      message: `is not the code in ${file}`,
    });
    // Typed in lower case and without its dashes, it still counts; then it is spent.
    const created = await createFirstAdmin({ ctx, input: { ...admin, setupCode: code.toLowerCase().replaceAll("-", "") } });
    expect(created).toMatchObject({ email: admin.email, role: "admin" });
    expect(existsSync(file)).toBe(false);
  });

  it("is pointed to in the server's log at first start, never shown", async () => {
    const warren = await startWarren({ env: { WARREN_PUBLIC_URL: "https://warren.example.com" } });
    try {
      const code = readFileSync(`${warren.dataDir}/setup-code`, "utf8").trim();
      expect(warren.logs()).toContain(`asks for the setup code in ${warren.dataDir}/setup-code`);
      expect(warren.logs()).not.toContain(code);
      expect(await (await fetch(`${warren.url}/setup`)).text()).toContain("Setup code");
    } finally {
      await warren.dispose();
    }
  });
});
