import type { Role } from "@/lib/generated/prisma/enums";

/** A user as the Users page hands it to the browser. */
export type UserView = {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  /** Signs in through the identity provider. */
  sso: boolean;
  /** Has a second factor: an authenticator app or a passkey. */
  secondFactor: boolean;
};
