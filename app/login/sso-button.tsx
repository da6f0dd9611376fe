"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";

/** Starts single sign-on at the identity provider; `next` is where to land afterwards. */
export function SsoButton({ name, next }: { name: string; next: string }) {
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      aria-disabled={pending || undefined}
      onClick={() => {
        if (pending) return;
        setPending(true);
        void signIn("oidc", { callbackUrl: next });
      }}
      className="w-full rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700 aria-disabled:opacity-60"
    >
      {pending ? `Going to ${name}…` : `Sign in with ${name}`}
    </button>
  );
}
