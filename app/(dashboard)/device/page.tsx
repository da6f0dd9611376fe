import type { Metadata } from "next";
import { headers } from "next/headers";
import { PageHeading } from "@/app/components/page-heading";
import { ApiError } from "@/lib/api/api-error";
import { findDeviceRequest } from "@/lib/auth/device-flow";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import { userCodeSchema } from "@/lib/validation/devices";
import { CodeForm } from "./code-form";
import { DeviceDecision } from "./device-decision";

export const metadata: Metadata = { title: "Sign in a device" };

type Props = { searchParams: Promise<{ code?: string | string[] }> };

/**
 * Whether the browser says the person came here by themselves: the terminal's link or a typed address (`none`),
 * or one of Warren's own pages (`same-origin`). A page on another site cannot set this header, so it cannot
 * make a signed-in person's browser look codes up and spend their wrong-code allowance; without the header
 * the code waits for Continue.
 */
async function ownNavigation(): Promise<boolean> {
  const site = (await headers()).get("sec-fetch-site");
  return site === "none" || site === "same-origin";
}

// Where `warren login` sends the person: the code is typed here, or comes
// prefilled in the link the terminal printed. Signed-out people sign in first
// and come back (the dashboard layout keeps the path). Looking a code up
// counts against the wrong-code limits as the API does.
export default async function DevicePage({ searchParams }: Props) {
  const { ctx } = await requireSessionCtx();
  const typed = (await searchParams).code;
  const code = Array.isArray(typed) ? typed[0] : typed;
  const heading = (
    <PageHeading
      id="device-heading"
      title="Sign in a device"
      description={
        <>
          Approve a sign-in started in a terminal with <code>warren login</code>: the device gets a token that acts as you.
        </>
      }
    />
  );
  if (!code || !(await ownNavigation())) {
    return (
      <section aria-labelledby="device-heading" className="max-w-xl space-y-6">
        {heading}
        <CodeForm initial={code} />
      </section>
    );
  }
  const parsed = userCodeSchema.safeParse(code);
  let error = parsed.success ? undefined : `The code ${parsed.error.issues[0]?.message ?? "is not valid"}.`;
  let request: Awaited<ReturnType<typeof findDeviceRequest>> | undefined;
  if (parsed.success) {
    try {
      request = await findDeviceRequest({ ctx, input: { code: parsed.data } });
    } catch (caught) {
      if (!(caught instanceof ApiError) || !["not_found", "rate_limited"].includes(caught.code)) throw caught;
      const message = caught.message.replaceAll("`", "");
      error = `${message[0]?.toUpperCase()}${message.slice(1)}.`;
    }
  }
  return (
    <section aria-labelledby="device-heading" className="max-w-xl space-y-6">
      {heading}
      {request ? (
        <DeviceDecision
          request={{ ...request, createdAt: request.createdAt.toISOString(), expiresAt: request.expiresAt.toISOString() }}
          yourIp={ctx.ip ?? null}
          tokenDays={getConfig().deviceTokenDays}
        />
      ) : (
        <CodeForm initial={code} error={error} />
      )}
    </section>
  );
}
