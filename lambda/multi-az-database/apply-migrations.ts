import * as path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { requiredEnv } from '../shared/env';
import { parseCredentials } from './database-connection';
import { createSchemaMigrationsHandler } from './schema-migrations-handler';

const logger = new Logger();
const secrets = new SecretsManagerClient({});
const secretArn = requiredEnv('DATABASE_SECRET_ARN');

const applyPending = createSchemaMigrationsHandler({
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
  },
  endpoint: {
    host: requiredEnv('DATABASE_HOST'),
    port: Number(requiredEnv('DATABASE_PORT')),
    database: requiredEnv('DATABASE_NAME'),
    caBundleFile: requiredEnv('DATABASE_CA_BUNDLE'),
  },
  credentials: async () => parseCredentials((await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString),
  // The bundling step copies the SQL files next to the bundle.
  migrationsDir: path.join(__dirname, 'migrations'),
});

/** Custom resource onEvent handler: applies pending schema migrations on every deployment. */
export const handler = async (event: CloudFormationCustomResourceEvent, context: Context) => {
  logger.addContext(context);
  logger.info('Custom resource event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
  try {
    return await applyPending(event);
  } catch (error) {
    logger.error('Schema migrations failed', error as Error);
    throw error;
  }
};
