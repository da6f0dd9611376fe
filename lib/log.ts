// Warren's log (pino): one JSON object per line on standard output, with its
// level, time and message, for a log pipeline to parse; the same lines made
// readable when standard output is a terminal. Secrets never go in: callers
// log reasons and ids, and the paths below are censored should one slip in.
// The admin CLI keeps standard output for its answers, so there they go to
// standard error.
import { format, stripVTControlCharacters } from "node:util";
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

/** Request ids, stamped by server/index.ts on every request (a client's own is replaced). */
export const REQUEST_ID_HEADER = "x-request-id";

const REDACT = ["password", "token", "secret", "key", "cookie", "authorization", "*.password", "*.token", "*.secret", "*.cookie", "*.authorization"];

let logger: Logger | undefined;
let fd = 1;

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

// Read here rather than in lib/config.ts: the log must work before the configuration does, to report it.
function createLog(): Logger {
  const asked = process.env.WARREN_LOG_LEVEL?.trim() || "info";
  const level = LEVELS.includes(asked) ? asked : "info";
  const stream =
    fd === 1 && process.stdout.isTTY ? pretty({ sync: true, destination: 1, translateTime: "SYS:HH:MM:ss" }) : pino.destination({ fd, sync: true });
  const created = pino({ level, redact: { paths: REDACT, censor: "[redacted]" } }, stream);
  if (level !== asked) created.warn(`WARREN_LOG_LEVEL: must be one of ${LEVELS.join(", ")}; logging at info`);
  return created;
}

export function log(): Logger {
  logger ??= createLog();
  return logger;
}

/** For the admin CLI: its log lines go to standard error. */
export function logToStandardError() {
  fd = 2;
  logger = undefined;
}

/** For the server: what Next and libraries print with console.* becomes log lines too, so standard output stays one JSON object per line. */
export function captureConsole() {
  const to =
    (level: "info" | "warn" | "error") =>
    (...args: unknown[]) =>
      log()[level](stripVTControlCharacters(format(...args)));
  console.log = to("info");
  console.info = to("info");
  console.warn = to("warn");
  console.error = to("error");
}
