// `warren login URL` and `warren logout`: signing this machine in with the
// device flow (RFC 8628). Login asks Warren for a code, tells the person
// where to approve it, polls at the interval Warren gives (slower whenever it
// says `slow_down`), and stores Warren's URL and the device token it gets.
// Logout revokes that token on Warren, then forgets it, even when Warren
// cannot be reached (and says what that leaves).
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { DeviceCodeAnswer, DeviceTokenAnswer } from "@/lib/auth/device-flow";
import { ClientError } from "./client-error";
import { credentialsPath, type Env, readCredentials, removeCredentials, writeCredentials } from "./credentials";
import { apiErrorText, callApi, readCa, requestJson, type Connection, warrenUrl } from "./warren-api";

type Out = { out: (line: string) => void; err: (line: string) => void; env: Env };
type ErrorAnswer = { error?: { code?: string; message?: string } } | null;

/** Polls that fail to reach Warren in a row before login gives up (a laptop's network may blink). */
const UNREACHABLE_POLLS = 3;
const SLOW_DOWN_STEP_SECONDS = 5;

const withoutSlash = (url: URL) => url.href.replace(/\/$/, "");

/** The previous login's credentials, if the file can be read at all. */
function previousLogin(env: Env) {
  try {
    return readCredentials(env);
  } catch {
    return null;
  }
}

/** Polls until the sign-in is decided or its code expires; the token once approved. */
async function waitForApproval(connection: Connection, start: DeviceCodeAnswer): Promise<DeviceTokenAnswer> {
  const deadline = Date.now() + start.expires_in * 1000;
  let interval = start.interval;
  let unreachable = 0;
  for (;;) {
    await sleep(interval * 1000);
    let answer: { status: number; body: DeviceTokenAnswer | ErrorAnswer };
    try {
      answer = await requestJson<DeviceTokenAnswer | ErrorAnswer>(connection, "POST", "device/token", { device_code: start.device_code });
      unreachable = 0;
    } catch (error) {
      if (!(error instanceof ClientError) || ++unreachable >= UNREACHABLE_POLLS || Date.now() >= deadline) throw error;
      continue;
    }
    if (answer.status < 400) return answer.body as DeviceTokenAnswer;
    const error = (answer.body as ErrorAnswer)?.error;
    switch (error?.code) {
      case "authorization_pending":
        if (Date.now() >= deadline)
          throw new ClientError(`code ${start.user_code} expired before anyone approved it: run \`warren login ${withoutSlash(connection.url)}\` again`);
        continue;
      case "slow_down":
        interval += SLOW_DOWN_STEP_SECONDS;
        continue;
      case "access_denied":
        throw new ClientError(`${error.message ?? "the sign-in was denied"}: nothing was stored`);
      case "expired_token":
        throw new ClientError(`${error.message ?? "the code expired"}`.replace("`warren login`", `\`warren login ${withoutSlash(connection.url)}\``));
      default:
        throw new ClientError(apiErrorText(answer.status, answer.body));
    }
  }
}

export async function login(flags: { url: string; name?: string; ca?: string }, io: Out): Promise<void> {
  const connection: Connection = { url: warrenUrl(flags.url), ca: readCa(flags.ca ?? io.env.WARREN_CA) };
  const deviceName = flags.name ?? hostname();
  const start = await callApi<DeviceCodeAnswer>(connection, "POST", "device/code", { deviceName });
  io.out(`To sign in ${deviceName}, open this page and approve code ${start.user_code}:`);
  io.out(`  ${start.verification_uri_complete}`);
  io.out(`(or open ${start.verification_uri} and type the code). The code expires in ${Math.round(start.expires_in / 60)} minutes; waiting…`);
  const granted = await waitForApproval(connection, start);

  const previous = previousLogin(io.env);
  const path = writeCredentials({ url: connection.url.href, token: granted.access_token }, io.env);
  const expires = granted.device.expiresAt ? `, until ${new Date(granted.device.expiresAt).toLocaleString()}` : "";
  io.out(`Logged in to ${withoutSlash(connection.url)} as ${granted.user.email}, as device "${granted.device.name}"${expires}. The token is in ${path}.`);
  // A login replaces the last one: its token is of no more use here, so it goes.
  if (previous && previous.token !== granted.access_token && warrenUrl(previous.url).href === connection.url.href) {
    const revoked = await requestJson({ ...connection, token: previous.token }, "DELETE", "devices/current").catch(() => null);
    if (revoked && revoked.status < 400) io.out("The previous login's token on this machine is revoked.");
  }
}

export async function logout(flags: { ca?: string }, io: Out): Promise<void> {
  const path = credentialsPath(io.env);
  let stored: ReturnType<typeof readCredentials>;
  try {
    stored = readCredentials(io.env);
  } catch (error) {
    removeCredentials(io.env);
    throw new ClientError(`${(error as Error).message.replace(/: log in again$/, "")}: removed it`);
  }
  if (!stored) {
    io.out(`Not logged in: there are no credentials at ${path}.`);
    return;
  }
  const url = warrenUrl(stored.url);
  const answer = await requestJson({ url, ca: readCa(flags.ca ?? io.env.WARREN_CA), token: stored.token }, "DELETE", "devices/current").catch(
    (error: unknown) => error as Error,
  );
  removeCredentials(io.env);
  if (answer instanceof Error) {
    throw new ClientError(
      `${answer.message}. Removed ${path}, but this device's token stays valid until it expires or you revoke it on ${withoutSlash(url)}/account`,
    );
  }
  if (answer.status < 400) io.out(`Logged out of ${withoutSlash(url)}: this device's token is revoked, and ${path} removed.`);
  else if (answer.status === 401) io.out(`Logged out: the token had already expired or been revoked. Removed ${path}.`);
  else throw new ClientError(`${apiErrorText(answer.status, answer.body)}. Removed ${path}; the token in it was not revoked`);
}
