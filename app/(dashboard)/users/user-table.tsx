"use client";

import { UserRow } from "./user-row";
import type { UserView } from "./user-view";

/** Everyone, a row each, with what an admin does to an account; at phone width each row stacks its cells under their names. */
export function UserTable({ users, viewerId }: { users: UserView[]; viewerId: string }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="block w-full text-sm md:table">
        <caption className="sr-only">Users</caption>
        <thead className="hidden md:table-header-group">
          <tr className="text-left text-zinc-600 dark:text-zinc-400">
            <th scope="col" className="px-4 py-2 font-medium">
              Person
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Role
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Status
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Signs in with
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Second factor
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              Last sign-in
            </th>
            <th scope="col" className="px-4 py-2 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="block md:table-row-group">
          {users.map((user) => (
            <UserRow key={user.id} user={user} self={user.id === viewerId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
