// Errors placed next to the fields of a form: from the shared schema before
// sending, from the server's `field` after; the first one wrong takes focus.
import { useEffect, useRef, useState, type RefObject } from "react";
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
function placeError<F extends string>(failure: unknown, fields: readonly F[]): FieldErrors<F> {
  const field = failure instanceof ApiRequestError ? failure.field : undefined;
  const known = fields.find((candidate) => candidate === field);
  return { [known ?? "form"]: errorMessage(failure) } as FieldErrors<F>;
}

type Parsed<T> = { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };

/** A form's errors and pending state, and `send`: the parsed input's issues go to their fields,
 *  or the request is made once (not again while it runs) and its failure placed. Focus follows the first error. */
export function useApiForm<F extends string>(fields: readonly F[]) {
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FieldErrors<F>>({});
  const [pending, setPending] = useState(false);
  useFocusFirstError(formRef, fields, errors);

  async function send<T>(parsed: Parsed<T>, request: (data: T) => Promise<void>) {
    if (pending) return;
    if (!parsed.success) {
      setErrors(issueErrors(parsed.error.issues, fields));
      return;
    }
    setErrors({});
    setPending(true);
    try {
      await request(parsed.data);
    } catch (failure) {
      setErrors(placeError(failure, fields));
    } finally {
      setPending(false);
    }
  }
  return { formRef, errors, pending, send };
}

/** Moves focus to the first field (in form order) that has an error, by its name. */
export function useFocusFirstError<F extends string>(formRef: RefObject<HTMLFormElement | null>, fields: readonly F[], errors: FieldErrors<F>) {
  useEffect(() => {
    const first = fields.find((field) => errors[field]);
    const element = first ? formRef.current?.elements.namedItem(first) : null;
    if (element instanceof HTMLElement) element.focus();
  }, [errors, fields, formRef]);
}
