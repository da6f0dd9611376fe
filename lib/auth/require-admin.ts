import { ApiError } from "@/lib/api/api-error";
import type { Ctx } from "@/lib/context";

/** Admins and the system (CLI, engine) pass; any other user gets 403. */
export function requireAdmin(ctx: Ctx, action: string) {
  if (ctx.actor.type === "user" && ctx.actor.role !== "admin") {
    throw new ApiError({ code: "forbidden", message: `only admins can ${action}` });
  }
}
