import { toApiError } from "@/lib/api/handle-api-error";

/** What a server action answers: never a thrown error, so the form can show
 *  the server's own words next to the field they concern. */
export type FormResult = { ok: true } | { ok: false; field?: string; message: string };

export async function formResult(run: () => Promise<unknown>): Promise<FormResult> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    const { field, message } = toApiError(error);
    return { ok: false, field, message };
  }
}
