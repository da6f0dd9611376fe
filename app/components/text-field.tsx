import type { InputHTMLAttributes, ReactNode } from "react";
import { controlClass, Field } from "@/app/components/field";

type Props = InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; error?: string; hint?: ReactNode };

/** A labelled input (a Field) whose error and hint are announced with it. Its id is its name unless the page repeats the form. */
export function TextField({ label, name, id = name, error, hint, ...input }: Props) {
  return (
    <Field id={id} label={label} error={error} hint={hint}>
      {(control) => <input {...control} name={name} className={controlClass} {...input} />}
    </Field>
  );
}
