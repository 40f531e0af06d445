import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpError } from './http-errors';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: {}, body: '' };
}

/**
 * The one place errors become responses. Domain errors carry their own status
 * and caller-safe message; anything else is a 500 whose body names only the
 * request id, never a stack trace or an SDK message.
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  if (error instanceof HttpError) {
    return jsonResponse(error.statusCode, {
      error: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    });
  }
  return jsonResponse(500, { error: 'InternalServerError', message: 'Internal server error', requestId });
}

/**
 * CORS headers for a proxy response. The gateway answers preflight requests;
 * the actual response must still carry Access-Control-Allow-Origin.
 */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (allowedOrigins.includes('*')) return { 'Access-Control-Allow-Origin': '*' };
  if (origin && allowedOrigins.includes(origin)) return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
  return {};
}
