import { IDEMPOTENCY_HEADER, MAX_ORDER_BYTES, ORDER_MESSAGE_ATTRIBUTES } from '../../lambda/decoupled-orders/order-schema';

/**
 * API Gateway mapping templates (VTL) of the storage-first write path,
 * `POST /orders` straight into SQS with no Lambda in between.
 *
 * API Gateway validates the body against the model but can check only the
 * presence of a header, not its format, and not the raw body size. The
 * request template therefore checks both; when either is wrong it sends a
 * harmless `GetQueueAttributes` instead of `SendMessage`, so nothing reaches
 * the queue, and the response template turns that into a 400 or 413.
 *
 * The size is counted in bytes. VTL strings are Java strings, whose
 * `length()` counts UTF-16 code units: an accented letter is 1 and 2 bytes,
 * an emoji 2 and 4, so a limit on `$input.body.length()` lets up to four
 * times the bytes through. The template counts the bytes of the body's UTF-8
 * base64 encoding instead: 4 characters per 3 bytes, less one byte per `=`
 * of padding.
 */

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const CHECKS = [`#set($orderId = $input.params('${IDEMPOTENCY_HEADER}'))`, `#set($validKey = $orderId.matches('${UUID}'))`].join('\n');

/** One message attribute in the SQS query API's form encoding; `value` is a VTL expression. */
function messageAttribute(index: number, name: string, dataType: 'String' | 'Number', value: string): string {
  const prefix = `&MessageAttribute.${index}`;
  return `${prefix}.Name=${name}${prefix}.Value.DataType=${dataType}${prefix}.Value.StringValue=${value}`;
}

/** `$bodyBytes`: the request body's size in UTF-8 bytes. */
const BODY_BYTES = [
  '#set($base64 = $util.base64Encode($input.body))',
  '#set($padding = 0)',
  "#if($base64.endsWith('=='))#set($padding = 2)#elseif($base64.endsWith('='))#set($padding = 1)#end",
  '#set($bodyBytes = $base64.length() / 4 * 3 - $padding)',
].join('\n');

/** Form-encoded SQS query API request. */
export const SEND_ORDER_REQUEST_TEMPLATE = [
  CHECKS,
  BODY_BYTES,
  `#if($validKey && $bodyBytes <= ${MAX_ORDER_BYTES})`,
  'Action=SendMessage' +
    '&MessageBody=$util.urlEncode($input.body)' +
    messageAttribute(1, ORDER_MESSAGE_ATTRIBUTES.orderId, 'String', '$util.urlEncode($orderId.toLowerCase())') +
    messageAttribute(2, ORDER_MESSAGE_ATTRIBUTES.acceptedAt, 'Number', '$context.requestTimeEpoch') +
    messageAttribute(3, ORDER_MESSAGE_ATTRIBUTES.requestId, 'String', '$util.urlEncode($context.requestId)'),
  '#else',
  'Action=GetQueueAttributes&AttributeName.1=QueueArn',
  '#end',
].join('\n');

/** Response to a 2xx from SQS: accepted, or the rejection decided above. */
export const SEND_ORDER_RESPONSE_TEMPLATE = [
  CHECKS,
  "#if($input.body.contains('SendMessageResponse'))",
  '{"orderId":"$orderId.toLowerCase()","status":"ACCEPTED"}',
  '#elseif(!$validKey)',
  '#set($context.responseOverride.status = 400)',
  `{"error":"BadRequest","message":"Invalid request header","details":[{"field":"header.${IDEMPOTENCY_HEADER}","message":"must be a UUID you generate once per order and reuse on retries"}]}`,
  '#else',
  '#set($context.responseOverride.status = 413)',
  `{"error":"PayloadTooLarge","message":"Request body is larger than ${MAX_ORDER_BYTES} bytes","details":[{"field":"body","message":"must be at most ${MAX_ORDER_BYTES} bytes"}]}`,
  '#end',
].join('\n');

/**
 * SQS's error codes for a message it will never accept, whatever the retry:
 * characters outside its set, or a parameter it refuses (such as a size over
 * its limit). The model and the checks above keep both out; should one slip
 * through, the client hears 400 rather than an invitation to retry forever.
 */
export const SQS_PERMANENT_REFUSALS = ['InvalidMessageContents', 'InvalidParameterValue'] as const;

/**
 * SQS refused the message: permanently (400, do not retry), or because it
 * failed or throttled (503: nothing was stored, and a retry with the same
 * key is safe). API Gateway selects this response by SQS's status code
 * alone; the error code is in the body.
 */
export const SEND_ORDER_FAILED_TEMPLATE = [
  `#if(${SQS_PERMANENT_REFUSALS.map((code) => `$input.body.contains('${code}')`).join(' || ')})`,
  '#set($context.responseOverride.status = 400)',
  '{"error":"BadRequest","message":"The queue refused the content of this order; a retry will not help","details":[{"field":"body","message":"contains characters or values the order queue cannot carry"}],"requestId":"$context.requestId"}',
  '#else',
  '{"error":"ServiceUnavailable","message":"The order was not accepted; retry with the same Idempotency-Key","requestId":"$context.requestId"}',
  '#end',
].join('\n');
