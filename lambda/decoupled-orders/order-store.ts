import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from './order-schema';

/** Orders in DynamoDB, keyed by order id. */
export class OrderStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores the order unless one with its id exists. Returns false for a
   * duplicate: a message delivered twice, or a client retry with the same
   * idempotency key, stores one order.
   */
  async putIfAbsent(order: Order): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: order, ConditionExpression: 'attribute_not_exists(orderId)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(orderId: string): Promise<Order | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { orderId } }));
    return result.Item as Order | undefined;
  }
}
