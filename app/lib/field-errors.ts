// Errors placed next to the fields of a form: from the shared schema before
// sending, from the server's `field` after; the first one wrong takes focus.
import { useEffect, type RefObject } from "react";
import { ApiRequestError } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";

export type FieldErrors<F extends string> = Partial<Record<F | "form", string>>;

/** A schema's issues by top-level field, the first per field; the rest under the form. */
export function issueErrors<F extends string>(issues: { path: PropertyKey[]; message: string }[], fields: readonly F[]): FieldErrors<F> {
  const found: FieldErrors<F> = {};
  for (const issue of issues) {
    const field = fields.find((known) => known === issue.path[0]) ?? "form";
    found[field] ??= issue.message;
  }
  return found;
}

/** A failed request's message, placed at its field when the form has one, else under the form. */
export function placeError<F extends string>(failure: unknown, fields: readonly F[]): FieldErrors<F> {
  const field = failure instanceof ApiRequestError ? failure.field : undefined;
  const known = fields.find((candidate) => candidate === field);
  return { [known ?? "form"]: errorMessage(failure) } as FieldErrors<F>;
}

/** Moves focus to the first field (in form order) that has an error, by its name. */
export function useFocusFirstError<F extends string>(formRef: RefObject<HTMLFormElement | null>, fields: readonly F[], errors: FieldErrors<F>) {
  useEffect(() => {
    const first = fields.find((field) => errors[field]);
    const element = first ? formRef.current?.elements.namedItem(first) : null;
    if (element instanceof HTMLElement) element.focus();
  }, [errors, fields, formRef]);
}
