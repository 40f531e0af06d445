import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listEnv, requiredEnv } from '../shared/env';
import { MenuItemStore } from './menu-item-store';

/**
 * Module-scope dependencies of the menu API handlers: created once per
 * execution environment and reused by every invocation. A missing variable
 * fails the cold start instead of the first request.
 */
const tableName = requiredEnv('TABLE_NAME');

export const logger = new Logger();
export const metrics = new Metrics();
export const allowedOrigins = listEnv('ALLOWED_ORIGINS');

const dynamoDb = new DynamoDBClient({});
const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});

export const store = new MenuItemStore(documentClient, tableName);
