import { withAuth } from "@/lib/api/with-auth";
import { closeTunnel, getTunnel } from "@/lib/tunnels/tunnels";

type Params = { id: string };

export const GET = withAuth<Params>(async ({ ctx, params }) => Response.json(await getTunnel({ ctx, input: params })));

export const DELETE = withAuth<Params>(async ({ ctx, params }) => Response.json(await closeTunnel({ ctx, input: params })));
