/** A row action's button, as the tunnels table draws its own. */
export const ROW_BUTTON =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-600 dark:hover:bg-zinc-800";
