// Prints the failures recorded in vitest JSON reports, last. The integration
// projects run side by side and their logs are printed one after the other,
// so one project's failures can sit far above the end of the log, where CI
// shows only the tail. Usage: tsx scripts/print-test-failures.ts REPORT...
import { existsSync, readFileSync } from "node:fs";

type Assertion = { fullName: string; status: string; failureMessages: string[] };
type FileResult = { name: string; status: string; message?: string; assertionResults: Assertion[] };
type Report = { numFailedTests: number; testResults: FileResult[] };

const MESSAGE_LINES = 25;

/** The message and the test's own frames; the runner's frames say nothing. */
function clip(message: string): string {
  const lines = message.split("\n").filter((line) => !/node_modules\/|new Promise \(<anonymous>\)/.test(line));
  return lines.length > MESSAGE_LINES ? [...lines.slice(0, MESSAGE_LINES), `  … ${lines.length - MESSAGE_LINES} more lines`].join("\n") : message;
}

function printReport(path: string) {
  if (!existsSync(path)) {
    console.log(`${path}: no report (the run ended before writing it)`);
    return;
  }
  const report = JSON.parse(readFileSync(path, "utf8")) as Report;
  const failedFiles = report.testResults.filter((file) => file.status === "failed");
  console.log(`${path}: ${report.numFailedTests} failed tests in ${failedFiles.length} files`);
  for (const file of failedFiles) {
    console.log(`\nFAIL ${file.name}`);
    if (file.message) console.log(clip(file.message));
    for (const test of file.assertionResults.filter((a) => a.status === "failed")) {
      console.log(`  ✗ ${test.fullName}`);
      for (const message of test.failureMessages) console.log(clip(message));
    }
  }
}

console.log("\n===== failures, by report =====");
for (const path of process.argv.slice(2)) printReport(path);
console.log("\nPlaywright's failures, when the e2e suite ran, are in its own output above.");
