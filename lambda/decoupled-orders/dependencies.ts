import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { listEnv, requiredEnv } from '../shared/env';
import { OrderStore } from './order-store';

/**
 * Module-scope dependencies shared by the orders handlers, created once per
 * execution environment. A missing variable fails the cold start.
 */
export const logger = new Logger();
export const metrics = new Metrics();
export const allowedOrigins = listEnv('ALLOWED_ORIGINS');

export const dynamoDb = new DynamoDBClient({});
const documentClient = DynamoDBDocumentClient.from(dynamoDb, { marshallOptions: { removeUndefinedValues: true } });

export const orders = new OrderStore(documentClient, requiredEnv('ORDERS_TABLE_NAME'));
