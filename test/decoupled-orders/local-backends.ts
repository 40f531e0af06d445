import type { LocalBackend } from '../../stand-ins/backends/backend';
import { dynamoDbLocal } from '../../stand-ins/backends/dynamodb-local';
import { fauxqs } from '../../stand-ins/backends/fauxqs';

/** What the orders intake, worker and status tests run against. */
export const localBackends: readonly LocalBackend[] = [dynamoDbLocal, fauxqs];
