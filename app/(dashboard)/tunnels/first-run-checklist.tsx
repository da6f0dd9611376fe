"use client";

// The first-run checklist: each step done or not as the server found it, a
// link to where to take the next ones, and a way to hide it for good.
import { CheckCircle2, Circle } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { apiFetch } from "@/app/lib/api-fetch";
import { errorMessage } from "@/app/lib/error-message";
import type { ChecklistStep } from "@/lib/checklist-steps";

/** `headingId`: the page's heading, which takes the focus once the checklist is dismissed. */
export function FirstRunChecklist({ steps, headingId }: { steps: ChecklistStep[]; headingId: string }) {
  const [hidden, setHidden] = useState(false);
  const [failure, setFailure] = useState("");
  if (hidden) return null;
  const done = steps.filter((step) => step.done).length;

  async function dismiss() {
    try {
      await apiFetch("/me/checklist", { method: "DELETE" });
      setHidden(true);
      document.getElementById(headingId)?.focus();
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  return (
    <section
      aria-labelledby="checklist-heading"
      data-testid="first-run-checklist"
      className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h2 id="checklist-heading" className="font-semibold">
          Get started
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {done} of {steps.length} done
        </p>
        <button
          type="button"
          onClick={() => void dismiss()}
          className="ml-auto rounded-md px-2 py-1 text-sm text-zinc-700 underline underline-offset-4 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800"
        >
          Dismiss checklist
        </button>
      </div>
      <ol className="space-y-2">
        {steps.map((step) => (
          <li key={step.id} data-step={step.id} data-done={step.done} className="flex items-start gap-2 text-sm">
            {step.done ? (
              <CheckCircle2 aria-hidden className="mt-px size-5 shrink-0 text-emerald-700 dark:text-emerald-400" />
            ) : (
              <Circle aria-hidden className="mt-px size-5 shrink-0 text-zinc-500 dark:text-zinc-400" />
            )}
            <span>
              <span className="sr-only">{step.done ? "Done: " : "To do: "}</span>
              {step.done ? (
                <span className="font-medium">{step.label}</span>
              ) : (
                <Link href={step.href} className="font-medium underline underline-offset-4">
                  {step.label}
                </Link>
              )}
              <span className="text-zinc-600 dark:text-zinc-400">: {step.hint}</span>
            </span>
          </li>
        ))}
      </ol>
      <FormAlert>{failure}</FormAlert>
    </section>
  );
}
