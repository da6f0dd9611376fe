import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { PageHeading } from "@/app/components/page-heading";
import { requireSessionCtx } from "@/lib/auth/session-ctx";
import { getConfig } from "@/lib/config";
import { listUsers } from "@/lib/users";
import { CreateUserForm } from "./create-user-form";
import { UserTable } from "./user-table";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const { user, ctx } = await requireSessionCtx();
  if (user.role !== "admin") forbidden();
  const users = (await listUsers({ ctx })).map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled,
    createdAt: row.createdAt.toISOString(),
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
    sso: row.oidcIssuer !== null,
    secondFactor: row.secondFactor,
  }));
  const sso = getConfig().oidc;
  return (
    <section aria-labelledby="users-heading" className="space-y-6">
      <PageHeading
        id="users-heading"
        title="Users"
        description={
          <>
            Everyone who can sign in to Warren{sso ? `, with a password or through ${sso.name}` : ""}. Disabling someone ends their sessions, tokens and tunnels
            at once; a new person gets a one-time link to set their password.
          </>
        }
      />
      <UserTable users={users} viewerId={user.id} />
      <CreateUserForm />
    </section>
  );
}
