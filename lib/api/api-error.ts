// The one error type the API throws, and the one shape it answers with:
// { "error": { "code", "message", "field"? } } (docs/api.md, "Errors").

export const errorStatus = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unprocessable_entity: 422,
  rate_limited: 429,
  // A browser session that must prove its second factor again (the page asks for a code and retries), or set one up first.
  second_factor_required: 403,
  second_factor_setup_required: 403,
  // The device flow's answers while a device waits (RFC 8628, section 3.5).
  authorization_pending: 400,
  slow_down: 429,
  access_denied: 403,
  expired_token: 400,
  internal_server_error: 500,
  // A server Warren sends to refused (a mail server, a webhook): the message says what it answered.
  bad_gateway: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export type ErrorBody = { error: { code: ErrorCode; message: string; field?: string } };

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;

  constructor({ code, message, field }: { code: ErrorCode; message: string; field?: string }) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}
