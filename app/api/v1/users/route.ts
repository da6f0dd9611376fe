import { readJsonObject } from "@/lib/api/read-json";
import { withAuth } from "@/lib/api/with-auth";
import { createUser, listUsers } from "@/lib/users";
import type { CreateUserInput } from "@/lib/validation/users";
import { methodNotAllowed } from "@/lib/api/method-not-allowed";

export const GET = withAuth(async ({ ctx }) => Response.json({ users: await listUsers({ ctx }) }));

export const POST = withAuth(async ({ req, ctx }) => {
  const input = (await readJsonObject(req)) as CreateUserInput;
  return Response.json(await createUser({ ctx, input }), { status: 201 });
});

export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
