// What the laptop client prints and how it exits: one line on stderr,
// `warren: …`, and 1 for a refusal or failure, 2 for bad usage.
export class ClientError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new ClientError(message, 2);
