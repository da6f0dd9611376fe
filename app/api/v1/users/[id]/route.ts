import { ApiError } from "@/lib/api/api-error";
import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { disableUser, getUser } from "@/lib/users";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

type Params = { id: string };

export const GET = withAuth<Params>(async ({ ctx, params }) => Response.json(await getUser({ ctx, input: params })));

// Disabling is the one change for now, and it is final: sessions, tokens,
// sockets and tunnels all end at once.
export const PATCH = withAuth<Params>(async ({ req, ctx, params }) => {
  const user = await getUser({ ctx, input: params }); // admins only, before anything is read
  const body = await readJsonObject(req);
  if (body.disabled !== true) throw new ApiError({ code: "unprocessable_entity", field: "disabled", message: "must be true: disabling is the only change a user accepts" });
  return Response.json(await disableUser({ ctx, input: { email: user.email } }));
});

export const { POST, PUT, DELETE } = methodNotAllowed("GET", "PATCH");
