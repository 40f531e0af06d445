import type { App } from 'aws-cdk-lib';
import { ClickstreamStack } from '../clickstream/clickstream-stack';
import { ContainersOnEc2Stack } from '../containers-on-ec2/containers-on-ec2-stack';
import { DecoupledOrdersStack } from '../decoupled-orders/decoupled-orders-stack';
import { MultiAzDatabaseStack } from '../multi-az-database/multi-az-database-stack';
import { ServerlessApiStack } from '../serverless-api/serverless-api-stack';
import type { AppConfig } from '../shared/stage-config';
import { tagArchitecture } from '../shared/tags';
import { addValidationPlugins } from '../shared/validation';

/** The stacks of the coffee-shop platform, by architecture. */
export interface CoffeeShopStacks {
  readonly serverlessApi: ServerlessApiStack;
  readonly decoupledOrders: DecoupledOrdersStack;
  readonly clickstream: ClickstreamStack;
  readonly containersOnEc2: ContainersOnEc2Stack;
  readonly multiAzDatabase: MultiAzDatabaseStack;
}

/**
 * Adds every architecture's stacks to `app` for one stage, tags them for cost
 * allocation and registers the synth-time rule packs. `bin/app.ts` and the
 * tests build the app through this one function, so what is tested is what
 * is deployed.
 */
export function addCoffeeShopStacks(app: App, config: AppConfig): CoffeeShopStacks {
  const { stage } = config;
  // Stacks are environment-agnostic: no account or region is needed to synth.
  const serverlessApi = new ServerlessApiStack(app, `CoffeeShop-MenuApi-${stage.name}`, {
    description: `Coffee shop menu API: API Gateway + Lambda + DynamoDB (${stage.name})`,
    terminationProtection: stage.terminationProtection,
    stage,
    corsOrigins: config.corsOrigins,
  });
  tagArchitecture(serverlessApi, 'serverless-api', stage);

  const decoupledOrders = new DecoupledOrdersStack(app, `CoffeeShop-Orders-${stage.name}`, {
    description: `Coffee shop orders: API Gateway -> SQS -> worker Lambda -> DynamoDB, SNS events (${stage.name})`,
    terminationProtection: stage.terminationProtection,
    stage,
    corsOrigins: config.corsOrigins,
  });
  tagArchitecture(decoupledOrders, 'decoupled-orders', stage);

  const clickstream = new ClickstreamStack(app, `CoffeeShop-Clickstream-${stage.name}`, {
    description: `Coffee shop menu-page clickstream: browser -> Kinesis -> Firehose -> S3 Parquet -> Glue -> Athena (${stage.name})`,
    terminationProtection: stage.terminationProtection,
    stage,
    config: config.clickstream,
  });
  tagArchitecture(clickstream, 'clickstream', stage);

  const containersOnEc2 = new ContainersOnEc2Stack(app, `CoffeeShop-Containers-${stage.name}`, {
    description: `Coffee shop internal services: VPC, NAT gateway, ECS on EC2 (${stage.name})`,
    terminationProtection: stage.terminationProtection,
    stage,
    config: config.containers,
  });
  tagArchitecture(containersOnEc2, 'containers-on-ec2', stage);

  const inContainersVpc = config.database.network === 'containers';
  const multiAzDatabase = new MultiAzDatabaseStack(app, `CoffeeShop-Database-${stage.name}`, {
    description: `Coffee shop customer database: RDS for PostgreSQL Multi-AZ, schema migrations on deploy (${stage.name})`,
    terminationProtection: stage.terminationProtection,
    stage,
    config: config.database,
    ...(inContainersVpc
      ? {
          shared: {
            vpc: containersOnEc2.network.vpc,
            clients: [{ connectable: containersOnEc2.sampleService.service, description: 'Sample internal service tasks' }],
          },
        }
      : {}),
  });
  tagArchitecture(multiAzDatabase, 'multi-az-database', stage);

  addValidationPlugins(app);
  return { serverlessApi, decoupledOrders, clickstream, containersOnEc2, multiAzDatabase };
}
