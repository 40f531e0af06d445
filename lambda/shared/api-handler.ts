import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { HttpError } from './http-errors';
import { corsHeaders, errorResponse } from './response';

/**
 * Observability tools shared by every API handler, created once at module
 * scope. No X-Ray SDK: Lambda's and API Gateway's active tracing already
 * trace each request end to end, and the SDK would add about 120 KB to every
 * bundle and tens of milliseconds to every cold start (`npm run bench`).
 */
export interface ApiObservability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface ApiHandlerOptions extends ApiObservability {
  /** Origins allowed to read responses in a browser; `*` for any. */
  readonly allowedOrigins: readonly string[];
}

export type Route = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * Wraps a route function with what every API Lambda needs: the request id as
 * the log correlation id, one error-to-status mapping, CORS headers, and
 * metrics flushed on every exit path.
 */
export function apiHandler(options: ApiHandlerOptions, route: Route) {
  const { logger, metrics, allowedOrigins } = options;
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    logger.addContext(context);
    logger.setCorrelationId(event.requestContext?.requestId ?? context.awsRequestId);
    metrics.captureColdStartMetric();
    let result: APIGatewayProxyResult;
    try {
      result = await route(event);
    } catch (error) {
      if (error instanceof HttpError && error.statusCode < 500) {
        logger.info('Request rejected', { statusCode: error.statusCode, code: error.code, details: error.details });
        metrics.addMetric('RequestRejected', MetricUnit.Count, 1);
      } else {
        logger.error('Request failed', error as Error);
        metrics.addMetric('RequestFailed', MetricUnit.Count, 1);
      }
      result = errorResponse(error, context.awsRequestId);
    } finally {
      metrics.publishStoredMetrics();
    }
    const origin = event.headers?.origin ?? event.headers?.Origin;
    return { ...result, headers: { ...result.headers, ...corsHeaders(origin, allowedOrigins) } };
  };
}
