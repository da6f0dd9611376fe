"use client";

import { useState, type FormEvent } from "react";
import { FormAlert } from "@/app/components/form-alert";
import { SubmitButton } from "@/app/components/submit-button";
import { TextField } from "@/app/components/text-field";
import { apiFetch } from "@/app/lib/api-fetch";
import { useApiForm } from "@/app/lib/field-errors";
import type { SecondFactorState } from "@/lib/auth/second-factor";
import { secondFactorCheckSchema } from "@/lib/validation/users";
import { PasskeyList } from "./passkey-list";

type Enrolment = { secret: string; uri: string; qrDataUrl: string };
const FIELDS = ["code"] as const;

/** The person's second factors: an authenticator app (scan, confirm with a code, keep the recovery codes; or remove it), and passkeys. */
export function SecondFactor({ initial }: { initial: SecondFactorState }) {
  const [state, setState] = useState(initial);
  const { sso } = state;
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState("");
  const { formRef, errors, pending, send } = useApiForm(FIELDS);

  async function start() {
    setNotice("");
    setEnrolment(await apiFetch<Enrolment>("/me/mfa/totp", { method: "POST" }));
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await send(secondFactorCheckSchema.safeParse({ code: new FormData(event.currentTarget).get("code") }), async (body) => {
      const { recoveryCodes: codes } = await apiFetch<{ recoveryCodes: string[] }>("/me/mfa/totp/confirm", { method: "POST", body });
      setEnrolment(null);
      setRecoveryCodes(codes);
      setState({ ...state, enrolled: true, totp: true, recoveryCodesLeft: codes.length });
    });
  }

  async function remove(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await send(secondFactorCheckSchema.safeParse({ code: new FormData(event.currentTarget).get("code") }), async (body) => {
      await apiFetch("/me/mfa/totp", { method: "DELETE", body });
      setRecoveryCodes(null);
      setState({ ...state, enrolled: state.passkeys.length > 0, totp: false, recoveryCodesLeft: 0 });
      setNotice("Your authenticator app is removed: you sign in with your password alone.");
    });
  }

  return (
    <section aria-labelledby="second-factor-heading" className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <div>
        <h2 id="second-factor-heading" className="font-semibold">
          Second factor
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {sso
            ? "You sign in through single sign-on: your identity provider asks for your second factor."
            : state.enrolled
              ? `Sign-in asks for your second factor after your password, as do approvals and host changes after 15 minutes.${state.totp ? ` ${state.recoveryCodesLeft} recovery codes left.` : ""}`
              : "An authenticator app (such as Google Authenticator, 1Password or Aegis) or a passkey adds a second step to your password at sign-in."}
        </p>
        {state.required && !state.enrolled ? (
          <p role="alert" className="mt-2 text-sm font-medium text-amber-800 dark:text-amber-300">
            Warren requires a second factor for your account: set one up to continue.
          </p>
        ) : null}
      </div>
      <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
        {notice}
      </p>
      {recoveryCodes ? (
        <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
          <p>Your authenticator app is set up. Keep these recovery codes somewhere safe: each signs you in once without the app. They are shown only now.</p>
          <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-1 font-mono">
            {recoveryCodes.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {sso ? null : enrolment ? (
        <form ref={formRef} method="post" noValidate onSubmit={confirm} className="grid max-w-md gap-3">
          <p className="text-sm">Scan this code with your authenticator app, or type the key below into it; then enter the code it shows.</p>
          {/* biome-ignore lint/performance/noImgElement: a data: URL Warren drew, which Next's image optimiser has nothing to do with */}
          <img src={enrolment.qrDataUrl} alt="QR code for your authenticator app" width={192} height={192} className="bg-white" />
          <p className="text-sm">
            Key: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <TextField label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" error={errors.code} />
          <FormAlert>{errors.form}</FormAlert>
          <div>
            <SubmitButton pending={pending}>{pending ? "Checking…" : "Turn on"}</SubmitButton>
          </div>
        </form>
      ) : state.totp ? (
        <form ref={formRef} method="post" noValidate onSubmit={remove} className="grid max-w-md gap-3">
          <TextField label="Current code or a recovery code" name="code" autoComplete="one-time-code" error={errors.code} />
          <FormAlert>{errors.form}</FormAlert>
          <div>
            <SubmitButton pending={pending}>{pending ? "Removing…" : "Remove authenticator app"}</SubmitButton>
          </div>
        </form>
      ) : (
        <button type="button" onClick={() => void start()} className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700">
          Set up an authenticator app
        </button>
      )}
      {sso ? null : (
        <div className="space-y-2 border-t border-zinc-100 pt-4 dark:border-zinc-800">
          <h3 className="text-sm font-semibold">Passkeys</h3>
          {state.passkeysOffered ? (
            <PasskeyList
              initial={state.passkeys}
              onChange={(passkeys) => setState((current) => ({ ...current, passkeys, enrolled: current.totp || passkeys.length > 0 }))}
            />
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Browsers use passkeys only with a site at an https:// address: Warren&apos;s is not.</p>
          )}
        </div>
      )}
    </section>
  );
}
