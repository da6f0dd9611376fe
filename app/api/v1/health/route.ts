import { handleApiError } from "@/lib/api/handle-api-error";
import { ApiError } from "@/lib/api/api-error";
import { getPrisma } from "@/lib/db/prisma";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    await getPrisma().$queryRaw`SELECT 1`;
  } catch {
    return handleApiError(new ApiError({ code: "unavailable", message: "the database does not answer" }));
  }
  return Response.json({ status: "ok" });
}

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
