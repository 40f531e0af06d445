import type { Stack, Stage } from 'aws-cdk-lib';
import type { ContainersOnEc2Stack } from '../containers-on-ec2/containers-on-ec2-stack';
import { addMultiAzDatabase, multiAzDatabase, type SharedDatabaseNetwork } from '../multi-az-database/architecture';
import { architectureScope, type DeployTarget, loadStackModules } from '../shared/architecture';
import type { ContextReader } from '../shared/context';
import { parseStage } from '../shared/stage-config';
import { addValidationPlugins } from '../shared/validation';
import { ARCHITECTURES, type ArchitectureName, type RegisteredArchitecture } from './architectures';

/** The stacks of the coffee-shop platform, by architecture name. */
export type CoffeeShopStacks = { readonly [A in RegisteredArchitecture as A['name']]: ReturnType<A['add']> };

/**
 * Adds every registered architecture's stacks to `app` for the stage the
 * context names, in registry order, and registers the synth-time rule packs.
 * `bin/app.ts` and the app-wide tests build the app through this one
 * function, so what is tested is what is deployed.
 */
export function addCoffeeShopStacks(app: Stage, read: ContextReader): CoffeeShopStacks {
  const stacks = addArchitectureStacks(app, read, {});
  addValidationPlugins(app, parseStage(read));
  return stacks as CoffeeShopStacks;
}

/**
 * Adds the stacks of the architectures named (`only`; all by default) to
 * `app` for the stage the context names, in registry order; the delivery
 * pipeline adds each of its stages' stacks through it too, for its target
 * accounts. The one thing composed across slices: the database may join the
 * containers VPC (`databaseNetwork: containers` in cdk.json), offered here
 * when both are added.
 */
export function addArchitectureStacks(
  app: Stage,
  read: ContextReader,
  options: { readonly only?: readonly ArchitectureName[]; readonly deployTo?: DeployTarget },
): Partial<CoffeeShopStacks> {
  const stage = parseStage(read);
  const chosen = ARCHITECTURES.filter((architecture) => !options.only || options.only.includes(architecture.name));
  loadStackModules(chosen, stage);
  const stacks: Partial<Record<ArchitectureName, Stack>> = {};
  for (const architecture of chosen) {
    const scope = architectureScope(architecture, app, stage, read, { deployTo: options.deployTo });
    stacks[architecture.name] =
      architecture === multiAzDatabase
        ? addMultiAzDatabase(scope, containersNetwork(stacks['containers-on-ec2']))
        : architecture.add(scope);
  }
  return stacks as Partial<CoffeeShopStacks>;
}

/** What the containers architecture offers the database: its VPC, and its sample service as a client. */
function containersNetwork(containers: Stack | undefined): SharedDatabaseNetwork | undefined {
  if (!containers) return undefined;
  const { network, sampleService } = containers as ContainersOnEc2Stack;
  return { vpc: network.vpc, clients: [{ connectable: sampleService.service, description: 'Sample internal service tasks' }] };
}
