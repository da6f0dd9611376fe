import { ApiError } from "@/lib/api/api-error";
import { actorId, type Ctx } from "@/lib/context";

/** The acting person's id, for what only a signed-in person does for themselves; the system (CLI) gets 403. */
export function requireUserId(ctx: Ctx, action: string): string {
  const id = actorId(ctx);
  if (!id) throw new ApiError({ code: "forbidden", message: `only a signed-in person ${action}` });
  return id;
}
