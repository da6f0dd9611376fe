import { withAuth } from "@/lib/api/with-auth";
import { removeParticipant } from "@/lib/tunnels/tunnel-sharing";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

// The owner (or an admin) removes someone who joined; a participant leaves.
export const DELETE = withAuth<{ id: string; userId: string }>(async ({ ctx, params }) => Response.json(await removeParticipant({ ctx, input: params })));

export const { GET, POST, PUT, PATCH } = methodNotAllowed("DELETE");
