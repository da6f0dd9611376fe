import { apiRoute } from "@/lib/api/api-route";
import { testHost } from "@/lib/hosts";

export const { GET, POST, PUT, PATCH, DELETE } = apiRoute<{ id: string }>({
  POST: async ({ ctx, params }) => Response.json(await testHost({ ctx, input: params })),
});
