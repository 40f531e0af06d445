import type { LocalBackend } from '../../stand-ins/backends/backend';
import { dynamoDbLocal } from '../../stand-ins/backends/dynamodb-local';

/** What the menu handlers' tests run against. */
export const localBackends: readonly LocalBackend[] = [dynamoDbLocal];
