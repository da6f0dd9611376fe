"use server";

import { formResult } from "@/lib/api/form-result";
import { createFirstAdmin } from "@/lib/users";

export async function createFirstAdminAction(input: { email: string; name: string; password: string }) {
  return formResult(() => createFirstAdmin({ input }));
}
