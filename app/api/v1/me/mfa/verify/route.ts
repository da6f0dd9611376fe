import { apiRoute } from "@/lib/api/api-route";
import { readBody } from "@/lib/api/read-input";
import { assertSession } from "@/lib/auth/authenticate";
import { recheckSecondFactor } from "@/lib/auth/second-factor";
import { secondFactorProofSchema } from "@/lib/validation/users";

// { "code" } or { "passkey": { "challengeId", "response" } }: this browser session proves its second factor again
// (asked before approvals and host changes).
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute({
  POST: async ({ req, ctx, via }) => {
    assertSession(via, "confirming your second factor");
    const proof = await readBody(req, secondFactorProofSchema);
    return Response.json(await recheckSecondFactor({ ctx, input: { proof, sessionId: via.via === "session" ? via.sid : null } }));
  },
});
