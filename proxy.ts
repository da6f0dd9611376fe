import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER } from "@/lib/auth/return-path";

// A fresh nonce per request lets Next's own inline scripts run while any
// injected script is refused. Next reads the policy from the request headers
// and stamps the nonce on its scripts.
function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (React, Next's error overlay) carry no script.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV !== "production");
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("Content-Security-Policy", policy);
  // The page asked for, so that sign-in can come back to it (lib/auth/return-path.ts).
  const asked = new URL(request.nextUrl.href);
  asked.searchParams.delete("_rsc");
  headers.set(PATH_HEADER, asked.pathname + asked.search);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

// Pages only: for a request with a body, Next reads all of it before a proxy
// runs, which would defeat the API's own 64 KiB limit. API answers carry a
// static policy from next.config.mjs instead.
export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon.ico).*)" }],
};
