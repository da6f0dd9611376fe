"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { firstAdminSchema } from "@/lib/validation/users";
import { createFirstAdminAction } from "./actions";

type Errors = Partial<Record<"email" | "name" | "password" | "setupCode" | "form", string>>;

/** `codeFile`: where the one-time setup code is, when Warren is reachable beyond loopback and asks for it. */
export function SetupForm({ codeFile }: { codeFile: string | null }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      email: String(form.get("email")),
      name: String(form.get("name")),
      password: String(form.get("password")),
      ...(codeFile ? { setupCode: String(form.get("setupCode")) } : {}),
    };
    // The same schema the server applies, for instant feedback.
    const parsed = firstAdminSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message])));
      return;
    }
    setPending(true);
    const result = await createFirstAdminAction(input);
    if (!result.ok) {
      setErrors({ [result.field ?? "form"]: result.message });
      setPending(false);
      return;
    }
    await signIn("credentials", { email: input.email, password: input.password, redirect: false });
    router.replace("/tunnels");
    router.refresh();
  }

  return (
    <form method="post" onSubmit={submit} noValidate className="space-y-4">
      {codeFile ? (
        <TextField
          label="Setup code"
          name="setupCode"
          autoComplete="off"
          required
          error={errors.setupCode}
          hint={
            <>
              Warren is reachable from other machines, so only someone who can read its files may set it up: the code is in <code>{codeFile}</code> on the
              bastion (<code>sudo cat {codeFile}</code>).
            </>
          }
        />
      ) : null}
      <TextField label="Name" name="name" autoComplete="name" required error={errors.name} />
      <TextField label="Email" name="email" type="email" autoComplete="email" required error={errors.email} />
      <TextField label="Password (10 characters or more)" name="password" type="password" autoComplete="new-password" required error={errors.password} />
      <FormAlert>{errors.form}</FormAlert>
      <SubmitButton pending={pending}>{pending ? "Creating…" : "Create admin and sign in"}</SubmitButton>
    </form>
  );
}
