/**
 * Typed domain errors for HTTP handlers. Every error a handler means to show
 * the caller is one of these; anything else becomes an opaque 500.
 */

/** One problem with one field of the request. */
export interface FieldError {
  /** Where the problem is: `body.priceCents`, `path.id`, `query.limit`. */
  readonly field: string;
  readonly message: string;
}

/** An error whose status code and message are safe to return to the caller. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: readonly FieldError[],
  ) {
    super(message);
    this.name = code;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, details?: readonly FieldError[]) {
    super(400, 'BadRequest', message, details);
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'NotFound', message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string, details?: readonly FieldError[]) {
    super(409, 'Conflict', message, details);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(contentType: string) {
    super(415, 'UnsupportedMediaType', `Request body must be application/json, not ${contentType}`, [
      { field: 'header.Content-Type', message: 'must be application/json' },
    ]);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(maxBytes: number) {
    super(413, 'PayloadTooLarge', `Request body is larger than ${maxBytes} bytes`, [
      { field: 'body', message: `must be at most ${maxBytes} bytes` },
    ]);
  }
}
