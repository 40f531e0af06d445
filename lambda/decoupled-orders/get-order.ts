import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../shared/api-handler';
import { NotFoundError } from '../shared/http-errors';
import { validate } from '../shared/request';
import { jsonResponse } from '../shared/response';
import { allowedOrigins, logger, metrics, orders } from './dependencies';
import { OrderIdPath } from './order-schema';

/**
 * `GET /orders/{id}`: the order's status. 404 until the worker has stored it,
 * which for an accepted order is normally well under a second.
 */
async function route(event: APIGatewayProxyEvent) {
  const { id } = validate(OrderIdPath, event.pathParameters ?? {}, 'path');
  const order = await orders.get(id);
  if (!order) throw new NotFoundError(`Order ${id} is not known (yet)`);
  metrics.addMetric('OrderRead', MetricUnit.Count, 1);
  return jsonResponse(200, order);
}

export const handler = apiHandler({ logger, metrics, allowedOrigins }, route);
