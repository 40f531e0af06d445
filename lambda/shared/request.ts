import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import './zod-messages';
import { BadRequestError, type FieldError, PayloadTooLargeError, UnsupportedMediaTypeError } from './http-errors';

/** Where in the request a value came from; prefixes field names in error details. */
export type RequestPart = 'body' | 'path' | 'query';

/** application/json, or a structured `+json` type; parameters such as charset aside. */
const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/;

/**
 * The media type a request's Content-Type names (lower case, parameters
 * such as charset dropped), whatever the header's case; undefined when it
 * sent none. API Gateway picks the model and the mapping template by it.
 */
export function requestMediaType(headers: Readonly<Record<string, string | undefined>> | null | undefined): string | undefined {
  const contentType = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/**
 * Reads the JSON body of a proxy event. API Gateway validates a body against
 * the model only when its Content-Type is the model's (and assumes
 * application/json when none is sent), so a `text/plain` body reaches the
 * handler unchecked: it is refused here with 415. The size check runs before
 * parsing so an oversize body costs no parse time and is reported as such.
 */
export function readJsonBody(event: APIGatewayProxyEvent, maxBytes: number): unknown {
  const mediaType = requestMediaType(event.headers);
  if (mediaType && !JSON_MEDIA_TYPE.test(mediaType)) throw new UnsupportedMediaTypeError(mediaType);
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new BadRequestError('Request body is required', [{ field: 'body', message: 'is required' }]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > maxBytes) {
    throw new PayloadTooLargeError(maxBytes);
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new BadRequestError('Request body is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]);
  }
}

/** Single-valued query parameters; `{}` when there are none. */
export function queryParameters(event: APIGatewayProxyEvent): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) params[key] = value;
  }
  return params;
}

/** Validates `value` against `schema`, turning every issue into a field-level message. */
export function validate<S extends z.ZodMiniType>(schema: S, value: unknown, part: RequestPart): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new BadRequestError(`Invalid request ${part}`, toFieldErrors(result.error, part));
}

function toFieldErrors(error: z.core.$ZodError, part: RequestPart): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = [part, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${base}.${key}`, message: 'is not an allowed field' }));
    }
    return [{ field: base, message: issue.message }];
  });
}
