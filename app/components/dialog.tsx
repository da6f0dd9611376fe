"use client";

// Warren's one dialog, on Radix's primitives: focus moves in and is trapped
// there, Escape and the close button end it, the focus goes back to what
// opened it, and the title and description are announced. `drawer` slides in
// from the right edge (forms beside a list, the notifications); `center` is a
// modal box (questions that block the page).
import * as RadixDialog from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import { useRef, type ReactNode } from "react";

const PLACES = {
  center: "top-1/2 left-1/2 w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-lg border",
  drawer: "inset-y-0 right-0 w-full max-w-lg overflow-y-auto border-l",
} as const;

export type DialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  /** One or two sentences under the title, announced with it. */
  description?: ReactNode;
  variant?: keyof typeof PLACES;
  /** Where the focus goes first; by default the first focusable element. */
  initialFocus?: () => HTMLElement | null | undefined;
  /** The button that opens it, if one does: the focus goes back to it on closing, and it says whether it is open. */
  trigger?: ReactNode;
  children: ReactNode;
  testId?: string;
};

export function Dialog({ open, onOpenChange, title, description, variant = "center", initialFocus, trigger, children, testId }: DialogProps) {
  // Opened by a plain button, not a Radix trigger: Radix would return the focus to no one.
  const opener = useRef<HTMLElement | null>(null);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      {trigger ? <RadixDialog.Trigger asChild>{trigger}</RadixDialog.Trigger> : null}
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <RadixDialog.Content
          data-testid={testId}
          // Without a description, Radix would point aria-describedby at nothing.
          {...(description ? {} : { "aria-describedby": undefined })}
          onOpenAutoFocus={(event) => {
            opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
            const target = initialFocus?.();
            if (!target) return;
            event.preventDefault();
            target.focus();
          }}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            opener.current?.focus();
          }}
          className={`fixed z-50 border-zinc-200 bg-white p-6 text-zinc-900 shadow-xl focus:outline-none dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 ${PLACES[variant]}`}
        >
          <div className="flex items-start justify-between gap-4">
            <RadixDialog.Title className="text-lg font-semibold">{title}</RadixDialog.Title>
            <RadixDialog.Close aria-label="Close" className="-m-1 rounded-md p-1 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800">
              <X aria-hidden className="h-5 w-5" />
            </RadixDialog.Close>
          </div>
          {description ? <RadixDialog.Description className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</RadixDialog.Description> : null}
          <div className="mt-4">{children}</div>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}
