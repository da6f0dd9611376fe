import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

// Two projects, chosen by suffix: `*.test.ts` are unit tests (no network, no
// sshd); `*.integration.test.ts` start real processes (sshd, Warren, SQLite).
export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["{lib,server,tests,bin,scripts}/**/*.test.ts"],
          exclude: ["**/*.integration.test.ts", "node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["{lib,server,tests,bin,scripts}/**/*.integration.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Integration files start their own sshd and Warren processes on free
          // ports; running them one at a time keeps a 2-core machine responsive.
          fileParallelism: false,
        },
      },
    ],
  },
});
