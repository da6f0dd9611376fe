import { ApiError } from "@/lib/api/api-error";
import { handleApiError } from "@/lib/api/handle-api-error";

// Any /api/v1 path no route claims: the API's own JSON 404, never Next's HTML page.
function notFound(req: Request) {
  return handleApiError(new ApiError({ code: "not_found", message: `no such API path: ${new URL(req.url).pathname}` }));
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
