import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { assertSession } from "@/lib/auth/authenticate";
import { recheckSecondFactor } from "@/lib/auth/second-factor";
import { secondFactorCheckSchema } from "@/lib/validation/users";

// { "code" }: this browser session proves its second factor again (asked before approvals and host changes).
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  POST: async ({ req, ctx, via }) => {
    assertSession(via, "confirming your second factor");
    const { code } = await readBody(req, secondFactorCheckSchema);
    return Response.json(await recheckSecondFactor({ ctx, input: { code, sessionId: via.via === "session" ? via.sid : "" } }));
  },
});
