import { ApiError } from "@/lib/api/api-error";
import { handleApiError } from "@/lib/api/handle-api-error";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

/** Handlers for the methods a route does not take, so they too answer in the
 *  API's JSON error shape instead of Next's empty 405. Spread into a route:
 *  `export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");` */
export function methodNotAllowed(...allowed: Method[]): Record<Method, (req: Request) => Response> {
  const refuse = (req: Request) =>
    handleApiError(new ApiError({ code: "method_not_allowed", message: `${req.method} is not allowed here; use ${allowed.join(" or ")}` }));
  return Object.fromEntries(METHODS.map((method) => [method, refuse])) as Record<Method, (req: Request) => Response>;
}
