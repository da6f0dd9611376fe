import { apiRoute } from "@/lib/api/api-route";
import { dismissChecklist } from "@/lib/first-run-checklist";

// Hide your first-run checklist on the Tunnels page, for good.
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  DELETE: async ({ ctx }) => {
    await dismissChecklist({ ctx });
    return Response.json({ dismissed: true });
  },
});
