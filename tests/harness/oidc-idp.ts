// A real OpenID provider for the tests: the `oidc-provider` package (a
// certified implementation) on a loopback port, with one confidential client
// for Warren and people whose claims (groups included) a test can change
// between sign-ins. Signing in at it needs no form: the person `signInAs`
// names is the one signed in at the provider, as if their session there were
// already open. `tamperNextIdToken` re-signs the next ID token, with the
// provider's own key, after changing its claims: how a test sends Warren a
// token with a wrong audience, issuer or nonce, or an expired one.
import http from "node:http";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";
import { freePort } from "./free-port";

export type IdpPerson = { email?: string; email_verified?: boolean; name?: string; groups?: string[] };

export type TestIdp = {
  issuer: string;
  /** Warren's settings for this provider. */
  env: Record<string, string>;
  people: Map<string, IdpPerson>;
  signInAs(subject: string): void;
  tamperNextIdToken(change: (claims: Record<string, unknown>) => Record<string, unknown>): void;
  close(): Promise<void>;
};

const clientId = "warren";
const clientSecret = "test-client-secret-that-is-long-enough";

/** Warren's settings for the test IdP on `port`: Warren reads the provider's discovery at the first sign-in, so it may start first. */
export function testIdpEnv(port: number): Record<string, string> {
  return {
    WARREN_OIDC_ISSUER: `http://127.0.0.1:${port}`,
    WARREN_OIDC_CLIENT_ID: clientId,
    WARREN_OIDC_CLIENT_SECRET: clientSecret,
    WARREN_OIDC_NAME: "Test IdP",
    WARREN_OIDC_SCOPES: "openid email profile groups",
  };
}

/** `port`: the one testIdpEnv named, when Warren started first. */
export async function startTestIdp(warrenUrl: string, options: { port?: number } = {}): Promise<TestIdp> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const people = new Map<string, IdpPerson>();
  let current = "";
  let tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | null = null;

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };

  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [`${warrenUrl}/api/auth/callback/oidc`] }],
    jwks: { keys: [jwk] },
    cookies: { keys: ["test-idp-cookie-key"] },
    scopes: ["openid", "email", "profile", "groups"],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // The claims of the scopes asked for go into the ID token itself, as most company providers do.
    conformIdTokenClaims: false,
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub, ...people.get(sub) }) }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // A first-party client: no consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? "openid"));
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: false } },
  });
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path !== "/token" || !tamper || !body?.id_token) return;
    const change = tamper;
    tamper = null;
    body.id_token = await new SignJWT(change(decodeJwt(body.id_token)) as never).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).sign(privateKey);
  });

  const callback = provider.callback();
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith("/interaction/")) return void callback(req, res);
    provider.interactionFinished(req, res, { login: { accountId: current } }, { mergeWithLastSubmission: false }).catch((error: Error) => {
      res.statusCode = 500;
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    env: testIdpEnv(port),
    people,
    signInAs(subject) {
      current = subject;
    },
    tamperNextIdToken(change) {
      tamper = change;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
