// /apps/launch, on Warren's own origin: a web tunnel's app host sends a
// person here without its cookie. Their Warren session and their access to
// the tunnel are checked, and they are sent back with a one-time code, or
// shown why not.
import { appOrigin } from "@/lib/apps/app-address";
import { issueHandoff } from "@/lib/apps/app-handoff";
import type { AppPage } from "@/lib/apps/app-page";
import { getConfig } from "@/lib/config";
import { actorId, type Ctx } from "@/lib/context";
import { accessRefusals, refusalOf } from "@/lib/tunnels/access-refusals";
import type { LaunchApp } from "@/lib/validation/apps";
import { webTunnelAt } from "@/lib/apps/web-tunnel-at";

const BACK = { href: "/tunnels", label: "Back to Warren" };

export async function launchApp({ ctx, input }: { ctx: Ctx; input: LaunchApp }): Promise<{ location: string } | AppPage> {
  const userId = actorId(ctx);
  if (!userId) throw new Error("launchApp is for a signed-in person");
  const origin = appOrigin(input.app, getConfig());
  const tunnel = await webTunnelAt(input.app);
  if (!origin || !tunnel) return { status: 404, title: "No such app", message: `No web tunnel has the address ${origin ?? input.app}.`, action: BACK };
  const pair = { tunnelId: tunnel.id, userId, purpose: "web" as const };
  const refusal = refusalOf(await accessRefusals([pair]), pair);
  if (refusal) return { status: 403, title: "You cannot open this app", message: `${origin}: ${refusal.message}.`, action: BACK };
  const code = await issueHandoff({ tunnelId: tunnel.id, userId, state: input.state, returnPath: input.path });
  const location = new URL("/.warren/auth", origin);
  location.searchParams.set("code", code);
  location.searchParams.set("state", input.state);
  return { location: location.href };
}
