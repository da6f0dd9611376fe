import { apiRoute } from "@/lib/api/api-route";
import { getAccessLog } from "@/lib/apps/app-access-log";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  GET: async ({ ctx, params }) => Response.json(await getAccessLog({ ctx, input: params })),
});
