import type { LocalBackend } from '../setup/backends/backend';
import { dynamoDbLocal } from '../setup/backends/dynamodb-local';
import { fauxqs } from '../setup/backends/fauxqs';

/** What the orders intake, worker and status tests run against. */
export const localBackends: readonly LocalBackend[] = [dynamoDbLocal, fauxqs];
