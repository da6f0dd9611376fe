import { handleApiError } from "@/lib/api/handle-api-error";
import { authenticate, userCtx } from "@/lib/auth/authenticate";
import type { SessionUser } from "@/lib/auth/sessions";
import type { Ctx } from "@/lib/context";

type RouteContext<P> = { params: Promise<P> };

export type AuthedHandler<P> = (args: { req: Request; params: P; ctx: Ctx; user: SessionUser }) => Promise<Response>;

/** Wraps a route handler: authenticates the caller and turns every thrown
 *  error into the one JSON error shape. */
export function withAuth<P = Record<string, never>>(handler: AuthedHandler<P>) {
  return async (req: Request, context: RouteContext<P>): Promise<Response> => {
    try {
      const { user } = await authenticate(req);
      return await handler({ req, params: await context.params, ctx: userCtx(user, req.headers), user });
    } catch (error) {
      return handleApiError(error);
    }
  };
}
