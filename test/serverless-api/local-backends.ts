import type { LocalBackend } from '../setup/backends/backend';
import { dynamoDbLocal } from '../setup/backends/dynamodb-local';

/** What the menu handlers' tests run against. */
export const localBackends: readonly LocalBackend[] = [dynamoDbLocal];
