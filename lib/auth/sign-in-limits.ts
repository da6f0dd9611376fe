// Failed sign-ins are counted per source, never per account alone: whoever
// guesses from one address is stopped there, for one account after a few
// failures and for every account after more, while the account's owner still
// signs in from anywhere else. A lock that follows the account everywhere
// would let anyone lock its owner out, so there is none.
import ipaddr from "ipaddr.js";
import { RateLimiter } from "@/lib/auth/rate-limit";
import { processGlobals } from "@/lib/process-globals";

const WINDOW_MS = 15 * 60_000;

processGlobals.warrenSignInLimits ??= {
  accountFromSource: new RateLimiter(10, WINDOW_MS),
  source: new RateLimiter(30, WINDOW_MS),
};
const limits = processGlobals.warrenSignInLimits;

/** A source is an IPv4 address, or an IPv6 /64: one machine's usual share, whose addresses it may pick from at will. */
export function sourceKey(ip: string | null): string {
  if (!ip || !ipaddr.isValid(ip)) return "unknown";
  const address = ipaddr.process(ip);
  if (address.kind() === "ipv4") return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}

export type SignInAttempt = { email: string; ip: string | null };

const keys = ({ email, ip }: SignInAttempt) => {
  const source = sourceKey(ip);
  return { source, accountFromSource: `${email} ${source}` };
};

/** Counts the attempt as a failure before its password is checked, so that
 *  concurrent attempts cannot all pass the limit first; answers instead how
 *  long to wait (milliseconds, nothing counted) when its source is over a
 *  limit. Unknown emails count like any other, so the answer tells nothing
 *  about which accounts exist. */
export function reserveSignIn(attempt: SignInAttempt, now = Date.now()): number {
  const key = keys(attempt);
  const wait = Math.max(limits.accountFromSource.retryAfter(key.accountFromSource, now), limits.source.retryAfter(key.source, now));
  if (wait > 0) return wait;
  limits.accountFromSource.fail(key.accountFromSource, now);
  limits.source.fail(key.source, now);
  return 0;
}

/** A right password: its reservation is given back and the account's failures from this source are forgotten. */
export function signInSucceeded(attempt: SignInAttempt) {
  const key = keys(attempt);
  limits.accountFromSource.reset(key.accountFromSource);
  limits.source.giveBack(key.source);
}
