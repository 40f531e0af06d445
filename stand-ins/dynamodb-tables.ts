import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CfnTemplate } from '../scripts/template/template';

/** Clients for the DynamoDB Local that global-setup started. */
export function dynamoDbClients() {
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    throw new Error('AWS_ENDPOINT_URL_DYNAMODB is not set: DynamoDB Local is started by test/setup/global-setup.ts');
  }
  const client = new DynamoDBClient({});
  return { client, documentClient: DynamoDBDocumentClient.from(client) };
}

/**
 * Creates a table in DynamoDB Local with the key schema of the table the
 * stack defines, so handler tests cannot drift from the deployed table.
 * Returns the table name (generated unless given).
 */
export async function createTableFromTemplate(
  client: DynamoDBClient,
  template: CfnTemplate,
  logicalId: string,
  tableName = `${logicalId}-${randomUUID()}`,
): Promise<string> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`No resource ${logicalId} in the template`);
  const { KeySchema, AttributeDefinitions, GlobalSecondaryIndexes } = resource.Properties;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema,
      AttributeDefinitions,
      BillingMode: 'PAY_PER_REQUEST',
      ...(GlobalSecondaryIndexes
        ? {
            GlobalSecondaryIndexes: GlobalSecondaryIndexes.map((index: Record<string, unknown>) => ({
              IndexName: index.IndexName,
              KeySchema: index.KeySchema,
              Projection: index.Projection,
            })),
          }
        : {}),
    }),
  );
  return tableName;
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
}

/** Every item in a table (tests use small tables). */
export async function scanAll(documentClient: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
