import type { ComponentProps, ReactNode } from "react";
import { TextField } from "@/app/components/text-field";

type Props = ComponentProps<typeof TextField> & { hint: ReactNode };

/** A TextField with help text that screen readers read along with it (and with its error, when there is one). */
export function HintedField({ hint, ...field }: Props) {
  const hintId = `${field.name}-hint`;
  // TextField gives its error the id `${name}-error`; naming it here keeps the error described too.
  const describedBy = field.error ? `${field.name}-error ${hintId}` : hintId;
  return (
    <div className="space-y-1">
      <TextField {...field} aria-describedby={describedBy} />
      <p id={hintId} className="text-xs text-zinc-600 dark:text-zinc-400">
        {hint}
      </p>
    </div>
  );
}
