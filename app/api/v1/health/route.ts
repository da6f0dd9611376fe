import { ApiError } from "@/lib/api/api-error";
import { publicApiRoute } from "@/lib/api/api-route";
import { getPrisma } from "@/lib/db/prisma";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = publicApiRoute({
  GET: async () => {
    try {
      await getPrisma().$queryRaw`SELECT 1`;
    } catch {
      throw new ApiError({ code: "unavailable", message: "the database does not answer" });
    }
    return Response.json({ status: "ok" });
  },
});
