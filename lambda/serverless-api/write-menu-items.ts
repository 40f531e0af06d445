import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../shared/api-handler';
import { HttpError } from '../shared/http-errors';
import { queryParameters, readJsonBody, validate } from '../shared/request';
import { jsonResponse, noContent } from '../shared/response';
import { allowedOrigins, logger, metrics, store } from './dependencies';
import { CreateMenuItemBody, DeleteMenuItemQuery, MAX_BODY_BYTES, MenuItemPath, ReplaceMenuItemBody } from './menu-item-schema';

/**
 * Write side of the menu API: create, replace and delete. Every input is
 * validated before the table is touched, so a rejected request writes nothing.
 */
async function route(event: APIGatewayProxyEvent) {
  switch (`${event.httpMethod} ${event.resource}`) {
    case 'POST /menu-items': {
      const input = validate(CreateMenuItemBody, readJsonBody(event, MAX_BODY_BYTES), 'body');
      const item = await store.create(input);
      metrics.addMetric('MenuItemCreated', MetricUnit.Count, 1);
      return jsonResponse(201, item, { Location: `/menu-items/${item.id}` });
    }
    case 'PUT /menu-items/{id}': {
      const { id } = validate(MenuItemPath, event.pathParameters ?? {}, 'path');
      const input = validate(ReplaceMenuItemBody, readJsonBody(event, MAX_BODY_BYTES), 'body');
      const item = await store.replace(id, input);
      metrics.addMetric('MenuItemReplaced', MetricUnit.Count, 1);
      return jsonResponse(200, item);
    }
    case 'DELETE /menu-items/{id}': {
      const { id } = validate(MenuItemPath, event.pathParameters ?? {}, 'path');
      const { version } = validate(DeleteMenuItemQuery, queryParameters(event), 'query');
      await store.delete(id, version);
      metrics.addMetric('MenuItemDeleted', MetricUnit.Count, 1);
      return noContent();
    }
    default:
      // Only reachable if the gateway routes a method this function was not built for.
      throw new HttpError(405, 'MethodNotAllowed', `${event.httpMethod} is not supported on ${event.resource}`);
  }
}

export const handler = apiHandler({ logger, metrics, allowedOrigins }, route);
