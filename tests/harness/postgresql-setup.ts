// Vitest global setup of the integration-postgresql project: one throwaway
// PostgreSQL server for the run; each test's Warren gets a database on it.
import { startPostgresql } from "./postgresql";

export default async function setup() {
  const server = await startPostgresql();
  process.env.WARREN_TEST_POSTGRESQL = server.adminUrl;
  return () => server.dispose();
}
