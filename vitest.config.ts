import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

const INTEGRATION = ["{lib,server,tests,bin,scripts}/**/*.integration.test.ts"];

// Integration files start their own sshd and Warren processes on free ports;
// running them one at a time keeps a 2-core machine responsive.
const integration = { testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false };

// What SSH and TCP do under a tunnel (OpenSSH parity, faults of links and
// hosts, the seed article's labs, machines in network namespaces): the
// database sees only the writes every tunnel test makes on both, so these
// run on SQLite alone and keep the PostgreSQL run short.
const TRANSPORT_ONLY = [
  "tests/integration/{edge-cases,faults,link-faults,labs,connect,connect-topology,expose,expose-topology}.integration.test.ts",
  "server/tunnels/{splice,tunnel-runtime}.integration.test.ts",
  "lib/ssh/ssh-connect.integration.test.ts",
  "tests/harness/sshd.integration.test.ts",
];

// Three projects, chosen by suffix: `*.test.ts` are unit tests (no network, no
// sshd); `*.integration.test.ts` start real processes (sshd, Warren) and run
// twice, on SQLite and on a throwaway PostgreSQL server (but TRANSPORT_ONLY).
// A file named `*.sqlite.integration.test.ts` or
// `*.postgresql.integration.test.ts` tests what only that database has.
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
        test: { name: "integration", include: INTEGRATION, exclude: ["**/*.postgresql.integration.test.ts", "node_modules/**"], ...integration },
      },
      {
        extends: true,
        test: {
          name: "integration-postgresql",
          include: INTEGRATION,
          exclude: ["**/*.sqlite.integration.test.ts", ...TRANSPORT_ONLY, "node_modules/**"],
          globalSetup: ["tests/harness/postgresql-setup.ts"],
          ...integration,
        },
      },
    ],
  },
});
