// Where a web tunnel's app host sends a person who has no app cookie yet
// (lib/apps/app-launch.ts): signed in and allowed, they go back with a
// one-time code; otherwise sign-in first, or a page that says why not.
import { appPageResponse, type AppPage } from "@/lib/apps/app-page";
import { launchApp } from "@/lib/apps/app-launch";
import { userCtx } from "@/lib/auth/authenticate";
import { loginPath } from "@/lib/auth/return-path";
import { getSessionUser } from "@/lib/auth/session-user";
import { getConfig } from "@/lib/config";
import { launchAppSchema } from "@/lib/validation/apps";

export const dynamic = "force-dynamic";

const page = (shown: AppPage) => {
  const { status, headers, body } = appPageResponse(shown);
  return new Response(body, { status, headers });
};

const redirect = (location: string) => new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });

export async function GET(req: Request) {
  const url = new URL(req.url);
  const parsed = launchAppSchema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return page({ status: 400, title: "This link is broken", message: `${issue.path.join(".")} ${issue.message}: open the app again from Warren.` });
  }
  const user = await getSessionUser();
  const { publicUrl } = getConfig();
  if (!user) return redirect(new URL(loginPath(`${url.pathname}${url.search}`), publicUrl).href);
  const result = await launchApp({ ctx: userCtx(user, req.headers), input: parsed.data });
  return "location" in result ? redirect(result.location) : page(result);
}
