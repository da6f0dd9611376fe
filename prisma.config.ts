// Prisma CLI configuration. Prisma 6.19 runs its schema engine as WebAssembly
// through the driver adapter, so no engine binary is ever downloaded.
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    return new PrismaBetterSQLite3({ url: process.env.PRISMA_CLI_DATABASE_URL ?? "file:./data/prisma-cli.db" });
  },
});
