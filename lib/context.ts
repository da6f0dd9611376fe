import type { Role } from "@/lib/generated/prisma/enums";

/** Who performs an action: a signed-in user (browser or API token) or the
 *  system itself (the CLI run by the bastion's operator, the engine). */
export type Actor = { type: "user"; id: string; email: string; role: Role } | { type: "system"; name: string };

export type Ctx = { actor: Actor; ip?: string | null; userAgent?: string | null };

export const systemCtx = (name: string): Ctx => ({ actor: { type: "system", name } });

/** The acting user's id; null for the system. */
export const actorId = (ctx: Ctx): string | null => (ctx.actor.type === "user" ? ctx.actor.id : null);

/** How the actor is named to people: a user's email, the system's name. */
export const actorName = (ctx: Ctx): string => (ctx.actor.type === "user" ? ctx.actor.email : ctx.actor.name);
