import { Grant } from 'aws-cdk-lib/aws-iam';
import { type ArchitectureScope, architectureStack, defineArchitecture } from '../shared/architecture';
import { ConfigError } from '../shared/context';
import { DATABASE_CONTEXT_KEYS, parseDatabaseConfig } from './database-config';
import type { MultiAzDatabaseStack, MultiAzDatabaseStackProps } from './multi-az-database-stack';

/** Its stack's module, loaded when the stack is added, not when a command reads the registry (see defineArchitecture). */
const stackModule = (): typeof import('./multi-az-database-stack') => require('./multi-az-database-stack');

/** What the app may offer the database: another architecture's VPC and the clients there that may connect. */
export type SharedDatabaseNetwork = NonNullable<MultiAzDatabaseStackProps['shared']>;

/**
 * Adds the database. `containersNetwork` is the containers architecture's VPC
 * and sample service, offered by an app that has that architecture too; it
 * is used only when `databaseNetwork=containers`.
 */
export function addMultiAzDatabase(scope: ArchitectureScope, containersNetwork?: SharedDatabaseNetwork): MultiAzDatabaseStack {
  const config = parseDatabaseConfig(scope.read, scope.stage);
  if (config.network === 'containers' && containersNetwork === undefined) {
    throw new ConfigError(
      'databaseNetwork',
      scope.read('databaseNetwork'),
      'own: this app has no containers-on-ec2 architecture to share a VPC with',
    );
  }
  return architectureStack(
    scope,
    {
      name: 'Database',
      description: 'Coffee shop customer database: RDS for PostgreSQL Multi-AZ, schema migrations on deploy',
    },
    (id, props) =>
      new (stackModule().MultiAzDatabaseStack)(scope.app, id, {
        ...props,
        stage: scope.stage,
        config,
        ...(config.network === 'containers' ? { shared: containersNetwork } : {}),
      }),
  );
}

/** Architecture 5: the customer database (RDS for PostgreSQL Multi-AZ), in a VPC of its own. */
export const multiAzDatabase = defineArchitecture({
  name: 'multi-az-database',
  summary: 'Relational database: RDS for PostgreSQL Multi-AZ with managed credentials, migrations on deploy',
  contextKeys: DATABASE_CONTEXT_KEYS,
  integRun: { minutes: '30-45', note: 'a Multi-AZ RDS instance is created and deleted' },
  loadStack: stackModule,
  add: (scope) => addMultiAzDatabase(scope),
  // Both checks only read: the instance's description and the migration function's log.
  grantSmoke: (stack, grantee) => {
    Grant.addToPrincipal({ grantee, actions: ['rds:DescribeDBInstances'], resourceArns: [stack.database.instance.instanceArn] });
    Grant.addToPrincipal({ grantee, actions: ['logs:FilterLogEvents'], resourceArns: [stack.migrations.logGroup.logGroupArn] });
  },
});
