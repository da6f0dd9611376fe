import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { deleteHost, getHost, updateHost } from "@/lib/hosts";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string };

export const GET = withAuth<Params>(async ({ ctx, params }) => Response.json(await getHost({ ctx, input: params })));

export const PATCH = withAuth<Params>(async ({ req, ctx, params }) =>
  Response.json(await updateHost({ ctx, input: { id: params.id, changes: await readJsonObject(req) } })),
);

export const DELETE = withAuth<Params>(async ({ ctx, params }) => Response.json(await deleteHost({ ctx, input: params })));

export const { POST, PUT } = methodNotAllowed("GET", "PATCH", "DELETE");
