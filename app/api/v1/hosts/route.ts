import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { createHost, listHosts } from "@/lib/hosts";
import type { CreateHostInput } from "@/lib/validation/hosts";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = withAuth(async ({ ctx }) => Response.json({ hosts: await listHosts({ ctx }) }));

export const POST = withAuth(async ({ req, ctx }) => {
  const input = (await readJsonObject(req)) as CreateHostInput;
  return Response.json(await createHost({ ctx, input }), { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
