// The reasons a sign-in is refused, as the sign-in page names them in
// `?error=`. Only these codes are shown: a link cannot put words of its own
// on Warren's sign-in page. next-auth's own codes are among them.
const SIGN_IN_ERRORS = {
  SsoDisabled: "Your Warren account is disabled. Ask an admin to enable it.",
  SsoEmailTaken: "A Warren account with your email already exists and is not linked to single sign-on. Ask an admin to link it.",
  SsoEmailUnverified: "Your identity provider has not verified your email, so Warren will not link it to the account that has it.",
  SsoNoEmail: "Your identity provider sent no email address, and every Warren account needs one. Ask its admin to release the email claim.",
  OAuthSignin: "Warren could not start single sign-on with the identity provider. Try again, or ask an admin to check its settings.",
  OAuthCallback: "The identity provider's answer could not be verified, so you were not signed in. Try again.",
  Callback: "The identity provider's answer could not be verified, so you were not signed in. Try again.",
  AccessDenied: "Sign-in was refused.",
  Configuration: "Sign-in is misconfigured on this server. Ask an admin.",
  CredentialsSignin: "Invalid email or password.",
} as const;

export type SignInError = keyof typeof SIGN_IN_ERRORS;

/** What a password sign-in answers when the account has a second factor: ask for it, or it was wrong. */
export const SECOND_FACTOR_REQUIRED = "SecondFactorRequired";
export const SECOND_FACTOR_INVALID = "SecondFactorInvalid";

/** The message for a code, a generic one for codes we do not know, null for none. */
export function signInErrorMessage(code: string | undefined): string | null {
  if (!code) return null;
  return Object.hasOwn(SIGN_IN_ERRORS, code) ? SIGN_IN_ERRORS[code as SignInError] : "Sign-in failed. Try again.";
}
