import { withAuth } from "@/lib/api/with-auth";
import { testHost } from "@/lib/hosts";

export const POST = withAuth<{ id: string }>(async ({ ctx, params }) => Response.json(await testHost({ ctx, input: params })));
