import type { InputHTMLAttributes, ReactNode } from "react";
import { controlClass, Field } from "@/app/components/field";
import { fieldId, type FieldName } from "./form-model";

/** A text field's value, error and handlers, as the form hands them out. */
export type Bound = { value: string; error?: string; onChange: (value: string) => void; onBlur: () => void };

type TextInputProps = { field: FieldName; label: string; hint?: ReactNode; bound: Bound } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "id" | "name" | "value" | "onChange" | "onBlur"
>;

/** A text input bound to one form value; addresses and numbers are typed as text. */
export function TextInput({ field, label, hint, bound, ...input }: TextInputProps) {
  return (
    <Field id={fieldId(field)} label={label} hint={hint} error={bound.error}>
      {(control) => (
        <input
          {...control}
          {...input}
          name={field}
          value={bound.value}
          onChange={(event) => bound.onChange(event.target.value)}
          onBlur={bound.onBlur}
          autoComplete="off"
          spellCheck={false}
          className={controlClass}
        />
      )}
    </Field>
  );
}
