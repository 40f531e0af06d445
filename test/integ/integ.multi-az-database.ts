import { ActualResult, ExpectedResult } from '@aws-cdk/integ-tests-alpha';
import type { App } from 'aws-cdk-lib';
import { loadMigrations } from '../../lambda/multi-az-database/migration-files';
import { multiAzDatabase } from '../../lib/multi-az-database/architecture';
import { MIGRATIONS_DIR } from '../../lib/multi-az-database/schema-migrations';
import { addIntegTest, synthWhenRun } from './integ-app';

/**
 * The customer database deployed as the sandbox deploys it: the instance is
 * available and Multi-AZ, the migrations custom resource applied every
 * migration file on this first deployment, and the master secret that RDS
 * manages exists with rotation on.
 */
export function integTest(app: App) {
  return addIntegTest(app, {
    architecture: multiAzDatabase,
    assert: (test) => {
      const { stack } = test;
      const { assertions } = test.integ;
      const { instance } = stack.database;
      const migrations = loadMigrations(MIGRATIONS_DIR);

      const described = assertions.awsApiCall('RDS', 'describeDBInstances', { DBInstanceIdentifier: instance.instanceIdentifier });
      described.expect(ExpectedResult.objectLike({ DBInstances: [{ DBInstanceStatus: 'available', MultiAZ: true }] }));

      assertions.expect(
        'EveryMigrationApplied',
        ExpectedResult.exact(String(migrations.length)),
        ActualResult.fromCustomResource(stack.migrations.resource, 'AppliedCount'),
      );
      assertions.expect(
        'LatestMigrationVersion',
        ExpectedResult.exact(String(Math.max(...migrations.map((m) => m.version)))),
        ActualResult.fromCustomResource(stack.migrations.resource, 'LatestVersion'),
      );

      const secret = assertions.awsApiCall('SecretsManager', 'describeSecret', { SecretId: instance.secret!.secretArn });
      secret.expect(ExpectedResult.objectLike({ RotationEnabled: true }));
    },
  });
}

synthWhenRun(module, integTest);
