"use server";

import { headers } from "next/headers";
import { formResult } from "@/lib/api/form-result";
import { clientInfo } from "@/lib/auth/client-info";
import { createFirstAdmin } from "@/lib/users";
import { firstAdminSchema } from "@/lib/validation/users";

export async function createFirstAdminAction(input: { email: string; name: string; password: string; setupCode?: string }) {
  const ctx = { actor: { type: "system" as const, name: "first-run" }, ...clientInfo(await headers()) };
  return formResult(() => createFirstAdmin({ ctx, input: firstAdminSchema.parse(input) }));
}
