import type { App } from 'aws-cdk-lib';
import { clickstream } from '../clickstream/architecture';
import type { ClickstreamStack } from '../clickstream/clickstream-stack';
import { containersOnEc2 } from '../containers-on-ec2/architecture';
import type { ContainersOnEc2Stack } from '../containers-on-ec2/containers-on-ec2-stack';
import { decoupledOrders } from '../decoupled-orders/architecture';
import type { DecoupledOrdersStack } from '../decoupled-orders/decoupled-orders-stack';
import { addMultiAzDatabase, multiAzDatabase } from '../multi-az-database/architecture';
import type { MultiAzDatabaseStack } from '../multi-az-database/multi-az-database-stack';
import { serverlessApi } from '../serverless-api/architecture';
import type { ServerlessApiStack } from '../serverless-api/serverless-api-stack';
import { architectureScope } from '../shared/architecture';
import type { ContextReader } from '../shared/context';
import { parseStage } from '../shared/stage-config';
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
 * Adds every architecture's stacks to `app` for the stage the context names,
 * and registers the synth-time rule packs. `bin/app.ts` and the app-wide
 * tests build the app through this one function, so what is tested is what
 * is deployed. The one thing composed across slices: the database may join
 * the containers VPC (`databaseNetwork: containers` in cdk.json).
 */
export function addCoffeeShopStacks(app: App, read: ContextReader): CoffeeShopStacks {
  const stage = parseStage(read);
  const scope = (architecture: Parameters<typeof architectureScope>[0]) => architectureScope(architecture, app, stage, read);

  const menuApi = serverlessApi.add(scope(serverlessApi));
  const orders = decoupledOrders.add(scope(decoupledOrders));
  const clicks = clickstream.add(scope(clickstream));
  const containers = containersOnEc2.add(scope(containersOnEc2));
  const stacks: CoffeeShopStacks = {
    serverlessApi: menuApi,
    decoupledOrders: orders,
    clickstream: clicks,
    containersOnEc2: containers,
    multiAzDatabase: addMultiAzDatabase(scope(multiAzDatabase), {
      vpc: containers.network.vpc,
      clients: [{ connectable: containers.sampleService.service, description: 'Sample internal service tasks' }],
    }),
  };
  addValidationPlugins(app, stage);
  return stacks;
}
