import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../shared/api-handler';
import { NotFoundError } from '../shared/http-errors';
import { queryParameters, validate } from '../shared/request';
import { jsonResponse } from '../shared/response';
import { allowedOrigins, logger, metrics, store } from './dependencies';
import { DEFAULT_PAGE_SIZE, ListMenuItemsQuery, MenuItemPath } from './menu-item-schema';

/**
 * Read side of the menu API: `GET /menu-items` and `GET /menu-items/{id}`.
 * Deployed as its own function with read-only access to the table.
 */
async function route(event: APIGatewayProxyEvent) {
  if (event.resource === '/menu-items/{id}') {
    const { id } = validate(MenuItemPath, event.pathParameters ?? {}, 'path');
    const item = await store.get(id);
    if (!item) throw new NotFoundError(`Menu item ${id} does not exist`);
    metrics.addMetric('MenuItemRead', MetricUnit.Count, 1);
    return jsonResponse(200, item);
  }
  const query = validate(ListMenuItemsQuery, queryParameters(event), 'query');
  const page = await store.list(query.limit ?? DEFAULT_PAGE_SIZE, query.nextToken);
  metrics.addMetric('MenuItemsListed', MetricUnit.Count, page.items.length);
  return jsonResponse(200, page);
}

export const handler = apiHandler({ logger, metrics, allowedOrigins }, route);
