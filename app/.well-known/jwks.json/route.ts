// The public keys that verify X-Warren-Jwt, the identity a web tunnel's app
// is sent with each request (lib/apps/signing-keys.ts).
import { publicKeySet } from "@/lib/apps/signing-keys";

export const dynamic = "force-dynamic";

export async function GET() {
  return Response.json(await publicKeySet(), { headers: { "cache-control": "public, max-age=300" } });
}
