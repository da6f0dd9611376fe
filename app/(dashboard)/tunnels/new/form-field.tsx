import type { InputHTMLAttributes, ReactNode } from "react";
import { fieldId, type FieldName } from "./form-model";

export type ControlProps = { id: string; name: FieldName; "aria-invalid"?: true; "aria-describedby"?: string };
/** A text field's value, error and handlers, as the form hands them out. */
export type Bound = { value: string; error?: string; onChange: (value: string) => void; onBlur: () => void };

// Borders dark enough for 3:1 against the page in both schemes (WCAG 1.4.11).
export const controlClass =
  "block w-full rounded-md border border-zinc-500 bg-white px-3 py-2 text-sm shadow-sm aria-[invalid=true]:border-red-700 dark:border-zinc-500 dark:bg-zinc-950 dark:aria-[invalid=true]:border-red-400";

/** A label, a control, its hint and its error; the control is told about both. */
export function FormField({
  field,
  label,
  hint,
  error,
  children,
}: {
  field: FieldName;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = fieldId(field);
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ");
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children({ id, name: field, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy || undefined })}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

type TextInputProps = { field: FieldName; label: string; hint?: ReactNode; bound: Bound } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "id" | "name" | "value" | "onChange" | "onBlur"
>;

/** A text input bound to one form value; addresses and numbers are typed as text. */
export function TextInput({ field, label, hint, bound, ...input }: TextInputProps) {
  return (
    <FormField field={field} label={label} hint={hint} error={bound.error}>
      {(control) => (
        <input
          {...control}
          {...input}
          value={bound.value}
          onChange={(event) => bound.onChange(event.target.value)}
          onBlur={bound.onBlur}
          autoComplete="off"
          spellCheck={false}
          className={controlClass}
        />
      )}
    </FormField>
  );
}
