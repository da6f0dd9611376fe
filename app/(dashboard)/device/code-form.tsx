"use client";

import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";

/** The code the terminal shows, typed in: a plain GET to /device?code=…, which works before any script runs. */
export function CodeForm({ initial, error }: { initial?: string; error?: string }) {
  return (
    <form method="get" action="/device" className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <TextField
        label="Code shown by your device"
        name="code"
        defaultValue={initial}
        error={error}
        hint="Eight letters, like BCDF-GHJK. Case and the dash do not matter."
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        required
      />
      <SubmitButton pending={false} className="">
        Continue
      </SubmitButton>
    </form>
  );
}
