import { ApiError } from "@/lib/api/api-error";
import { handleApiError } from "@/lib/api/handle-api-error";
import { authenticate, userCtx, type Authenticated } from "@/lib/auth/authenticate";
import type { SessionUser } from "@/lib/auth/sessions";
import type { Ctx } from "@/lib/context";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

type RouteContext<P> = { params: Promise<P> };
type Handlers<A> = Partial<Record<Method, (args: A) => Promise<Response>>>;
/** What Next calls for each method of a route file. */
export type RouteHandlers<P> = Record<Method, (req: Request, context: RouteContext<P>) => Promise<Response>>;

/** `via`: what the caller signed in with (a session, or which token). */
export type Authed<P> = { req: Request; params: P; ctx: Ctx; user: SessionUser; via: Authenticated };

/** Every method for a route file: the given handlers, each behind `enter`
 *  (authentication) and with every thrown error in the one JSON error shape;
 *  every other method answers 405 naming the ones the route takes. */
function route<A, P>(handlers: Handlers<A>, enter: (req: Request, params: P) => Promise<A>): RouteHandlers<P> {
  const allowed = METHODS.filter((method) => handlers[method]);
  const answer = (handler: ((args: A) => Promise<Response>) | undefined) => async (req: Request, context: RouteContext<P>) => {
    try {
      if (!handler) throw new ApiError({ code: "method_not_allowed", message: `${req.method} is not allowed here; use ${allowed.join(" or ")}` });
      return await handler(await enter(req, await context.params));
    } catch (error) {
      return handleApiError(error);
    }
  };
  return Object.fromEntries(METHODS.map((method) => [method, answer(handlers[method])])) as RouteHandlers<P>;
}

/** A route file's handlers for signed-in callers (a session or an API token):
 *  `export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({ GET: … });` */
export function apiRoute<P = Record<string, never>>(handlers: Handlers<Authed<P>>): RouteHandlers<P> {
  return route(handlers, async (req, params: P) => {
    const via = await authenticate(req);
    return { req, params, ctx: userCtx(via.user, req.headers), user: via.user, via };
  });
}

/** For the routes anyone may call (health): no authentication. */
export function publicApiRoute<P = Record<string, never>>(handlers: Handlers<{ req: Request; params: P }>): RouteHandlers<P> {
  return route(handlers, async (req, params: P) => ({ req, params }));
}
