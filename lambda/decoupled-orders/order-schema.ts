import * as z from 'zod/mini';

/**
 * The order contract: the handler-side validation and, as JSON Schema, the
 * API Gateway model that keeps invalid orders out of the queue. Keep this
 * file free of runtime dependencies other than zod: the CDK app imports it.
 */

/** Header whose value (a UUID the client generates) is the order id; retries with it are one order. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * SQS message attributes the intake's mapping template sets on every order
 * message and the worker reads: the one place their names are spelled.
 */
export const ORDER_MESSAGE_ATTRIBUTES = {
  /** The order id (the Idempotency-Key, lower-cased). */
  orderId: 'orderId',
  /** Epoch milliseconds at which API Gateway accepted the request. */
  acceptedAt: 'acceptedAt',
  /** API Gateway's request id, to correlate the order with the access log. */
  requestId: 'requestId',
} as const;

/** Largest order body the gateway forwards; SQS itself would take 1 MiB. */
export const MAX_ORDER_BYTES = 8 * 1024;

export const DRINK_SIZES = ['small', 'medium', 'large'] as const;

const OrderLine = z.strictObject({
  menuItemId: z.uuid(),
  quantity: z.int().check(z.minimum(1), z.maximum(20)),
  size: z.optional(z.enum(DRINK_SIZES)),
});

/**
 * One character a name or a note may hold: none of the control characters
 * (C0, DEL, C1), none of the bidirectional overrides and isolates (which can
 * make a name display as another), not U+FFFE or U+FFFF or a lone surrogate
 * (SQS refuses them in a message); a surrogate pair (an emoji) is one
 * character. Written so that API Gateway's engine (Java, code points), Ajv
 * (JavaScript with the u flag, code points) and zod (JavaScript, UTF-16
 * units) read it alike: one character counts once in each.
 */
const TEXT_CHARACTER =
  '(?:[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uD800-\\uDFFF\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])';
/** The white space JavaScript's trim() removes, less the control characters refused anyway. */
const SPACE = '[ \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF]';

/**
 * Text of at most `max` characters (as TEXT_CHARACTER counts them). With
 * `name`, it has at least one visible character and no white space at
 * either end: the gateway model and the worker refuse the same strings, so
 * an order the gateway accepts is never dead-lettered by the worker.
 */
export function textPattern(max: number, options: { readonly name?: boolean } = {}): RegExp {
  if (!options.name) return new RegExp(`^${TEXT_CHARACTER}{0,${max}}$`);
  return new RegExp(`^(?!${SPACE})(?!.*${SPACE}$)${TEXT_CHARACTER}{1,${max}}$`);
}

/** Body of `POST /orders`. */
export const PlaceOrderBody = z.strictObject({
  customerName: z.string().check(z.regex(textPattern(60, { name: true }))),
  items: z.array(OrderLine).check(z.minLength(1), z.maxLength(20)),
  pickupNotes: z.optional(z.string().check(z.regex(textPattern(200)))),
});

export const OrderIdPath = z.strictObject({ id: z.uuid() });

export type PlaceOrderInput = z.infer<typeof PlaceOrderBody>;

export type OrderStatus = 'PLACED';

/** An order as stored and as `GET /orders/{id}` returns it. */
export interface Order extends PlaceOrderInput {
  readonly orderId: string;
  readonly status: OrderStatus;
  /** When API Gateway accepted the request (ISO 8601). */
  readonly acceptedAt: string;
  /** When the worker stored it (ISO 8601). */
  readonly placedAt: string;
}

/** Event published to the order events topic; `eventType` is also a message attribute for filtering. */
export interface OrderPlacedEvent {
  readonly eventType: 'OrderPlaced';
  readonly orderId: string;
  readonly customerName: string;
  readonly items: PlaceOrderInput['items'];
  readonly placedAt: string;
}

/** Why the worker refused an accepted order instead of storing it. */
export type OrderRejectionReason = 'IdempotencyKeyReused';

/**
 * Event published when an accepted order cannot be placed: the order id was
 * already used for a different order. The rejected order travels with the
 * event, so nothing the customer sent is lost; the stored order is untouched.
 */
export interface OrderRejectedEvent {
  readonly eventType: 'OrderRejected';
  readonly orderId: string;
  readonly reason: OrderRejectionReason;
  readonly message: string;
  readonly rejectedOrder: PlaceOrderInput;
  readonly acceptedAt: string;
  readonly requestId?: string;
  readonly rejectedAt: string;
}

/** Order event types, as the `eventType` message attribute gives them to subscribers' filters. */
export const ORDER_EVENT_TYPES = ['OrderPlaced', 'OrderRejected'] as const;

/** JSON Schema (draft-04, the dialect of API Gateway models) of what a client may send. */
export function orderBodyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PlaceOrderBody, { target: 'draft-4', io: 'input' }) as Record<string, unknown>;
}
