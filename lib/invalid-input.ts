// Input the domain finds wrong where no schema can tell (a private key that
// does not parse, a passphrase that does not decrypt it). Modules below the
// API throw it; the edge (toApiError) answers it as a 422 naming the field.

export class InvalidInput extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidInput";
  }
}

/** By name, not instanceof: server/ and Next's bundle each have their own copy of this module. */
export function isInvalidInput(error: unknown): error is InvalidInput {
  return error instanceof Error && error.name === "InvalidInput";
}
