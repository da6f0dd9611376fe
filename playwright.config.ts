import { defineConfig, devices } from "@playwright/test";

// No webServer block: every test starts its own Warren (tests/e2e/fixtures.ts)
// on a free port with an empty data directory, so tests share no state.
export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.ts",
  // Each Warren is a full Next server plus argon2 hashing: one at a time keeps
  // a small machine responsive and the timings honest.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  // Waits for a state, never a deadline: a sign-in (argon2) on a busy two-core machine can take seconds.
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  outputDir: "test-results/",
  use: {
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        // Debian's Chromium: Playwright's own browser downloads are not available here.
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
});
