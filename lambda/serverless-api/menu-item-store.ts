import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequestError, ConflictError, NotFoundError } from '../shared/http-errors';
import { type CreateMenuItemInput, type MenuItem, MenuItemPath, type ReplaceMenuItemInput } from './menu-item-schema';

export interface MenuItemPage {
  readonly items: MenuItem[];
  /** Opaque cursor for the next page; absent on the last page. */
  readonly nextToken?: string;
}

/**
 * Menu items in DynamoDB. Every write is conditional, so a request that fails
 * validation of its preconditions (missing item, stale version) writes nothing.
 */
export class MenuItemStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: CreateMenuItemInput): Promise<MenuItem> {
    const timestamp = this.now().toISOString();
    const item: MenuItem = { ...input, id: randomUUID(), version: 1, createdAt: timestamp, updatedAt: timestamp };
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`Menu item ${item.id} already exists`);
      }
      throw error;
    }
    return item;
  }

  async get(id: string): Promise<MenuItem | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { id } }));
    return result.Item as MenuItem | undefined;
  }

  async list(limit: number, nextToken?: string): Promise<MenuItemPage> {
    const result = await this.client.send(
      new ScanCommand({ TableName: this.tableName, Limit: limit, ExclusiveStartKey: decodeCursor(nextToken) }),
    );
    return {
      items: (result.Items ?? []) as MenuItem[],
      ...(result.LastEvaluatedKey ? { nextToken: encodeCursor(result.LastEvaluatedKey) } : {}),
    };
  }

  /**
   * Replaces an item if, and only if, it is still at `input.version`
   * (optimistic locking). The version check and the write are one conditional
   * update, so two concurrent replacements of the same version cannot both win.
   */
  async replace(id: string, input: ReplaceMenuItemInput): Promise<MenuItem> {
    const { version, ...fields } = input;
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':expected': version, ':one': 1, ':updatedAt': this.now().toISOString() };
    const sets = ['#version = #version + :one', '#updatedAt = :updatedAt'];
    const removes: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      names[`#${key}`] = key;
      if (value === undefined) {
        // A full replacement drops optional fields the new body leaves out.
        removes.push(`#${key}`);
      } else {
        values[`:${key}`] = value;
        sets.push(`#${key} = :${key}`);
      }
    }
    if (!('description' in fields)) {
      names['#description'] = 'description';
      removes.push('#description');
    }
    const update = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(id) AND #version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return result.Attributes as MenuItem;
    } catch (error) {
      throw this.explainConditionFailure(error, id, version);
    }
  }

  /** Deletes an item; with `expectedVersion`, only if it is still at that version. */
  async delete(id: string, expectedVersion?: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { id },
          ConditionExpression: expectedVersion === undefined ? 'attribute_exists(id)' : 'attribute_exists(id) AND #version = :expected',
          ...(expectedVersion === undefined
            ? {}
            : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      throw this.explainConditionFailure(error, id, expectedVersion);
    }
  }

  /**
   * A failed condition means either "no such item" or "someone changed it
   * first"; the old image returned with the failure tells which.
   */
  private explainConditionFailure(error: unknown, id: string, expectedVersion?: number): unknown {
    if (!(error instanceof ConditionalCheckFailedException)) return error;
    const current = error.Item?.version?.N;
    if (current === undefined) return new NotFoundError(`Menu item ${id} does not exist`);
    return new ConflictError(`Menu item ${id} is at version ${current}, not ${expectedVersion}`, [
      { field: 'version', message: `is stale: the current version is ${current}` },
    ]);
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Accepts only cursors this API could have issued: a table key and nothing else. */
function decodeCursor(token: string | undefined): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  const invalid = new BadRequestError('Invalid request query', [
    { field: 'query.nextToken', message: 'is not a token returned by this API' },
  ]);
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  // The table key has exactly the shape of the item path: { id: <uuid> }.
  const parsed = MenuItemPath.safeParse(key);
  if (!parsed.success) throw invalid;
  return parsed.data;
}
