import { withAuth } from "@/lib/api/with-auth";
import { testHost } from "@/lib/hosts";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const POST = withAuth<{ id: string }>(async ({ ctx, params }) => Response.json(await testHost({ ctx, input: params })));

export const { GET, PUT, PATCH, DELETE } = methodNotAllowed("POST");
