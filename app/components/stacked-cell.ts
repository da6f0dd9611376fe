/** A table cell that, at phone width, stacks under its column's name (`data-label`; the header row is hidden there). */
export const CELL =
  "block px-3 py-1 align-top md:table-cell md:py-2 before:block before:text-xs before:font-medium before:text-zinc-600 before:content-[attr(data-label)] md:before:content-none dark:before:text-zinc-400";
