import type { Stack } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { clickstream } from '../clickstream/architecture';
import { containersOnEc2 } from '../containers-on-ec2/architecture';
import { decoupledOrders } from '../decoupled-orders/architecture';
import { multiAzDatabase } from '../multi-az-database/architecture';
import { serverlessApi } from '../serverless-api/architecture';
import type { Architecture, SmokeAccess } from '../shared/architecture';
import type { ContextKey } from '../shared/context';
import { STAGE_CONTEXT_KEYS } from '../shared/stage-config';

/**
 * The registry: every architecture of this app, in the order the README lists
 * them. It is the one list. The app adds their stacks from it, and `npm run
 * local`, `smoke`, `integ`, `cost`, `starter`, `upgrade-check` and `sandbox`
 * and the tests derive theirs from it; each finds an architecture's smoke
 * checks, local run and integ test by its name. Adding one is an entry here
 * (CONTRIBUTING.md, "Add an architecture").
 */
export const ARCHITECTURES = [
  serverlessApi, // 1. the menu API
  decoupledOrders, // 2. storage-first orders
  clickstream, // 3. menu-page clickstream analytics
  containersOnEc2, // 4. internal services on ECS (EC2 launch type)
  multiAzDatabase, // 5. the customer database (RDS for PostgreSQL Multi-AZ)
] as const;

/** A registered architecture. */
export type RegisteredArchitecture = (typeof ARCHITECTURES)[number];

/** The name (folder name) of a registered architecture. */
export type ArchitectureName = RegisteredArchitecture['name'];

/** Every architecture's name, in registry order. */
export const ARCHITECTURE_NAMES: readonly ArchitectureName[] = ARCHITECTURES.map((architecture) => architecture.name);

export const isArchitectureName = (value: string): value is ArchitectureName => (ARCHITECTURE_NAMES as readonly string[]).includes(value);

/**
 * The names given, checked against the registry: an unknown one is refused in
 * one line that names the valid ones (every command reports it so).
 */
export function parseArchitectureNames(given: readonly string[]): ArchitectureName[] {
  const unknown = given.filter((name) => !isArchitectureName(name));
  if (unknown.length > 0) {
    throw new UnknownArchitectureError(unknown);
  }
  return given as ArchitectureName[];
}

export class UnknownArchitectureError extends Error {
  constructor(readonly names: readonly string[]) {
    super(`Unknown architecture${names.length > 1 ? 's' : ''} ${names.join(', ')} (one of: ${ARCHITECTURE_NAMES.join(', ')})`);
  }
}

/** The registered architecture of a name. */
export function architectureNamed<N extends ArchitectureName>(name: N): Extract<RegisteredArchitecture, { name: N }> {
  return ARCHITECTURES.find((architecture) => architecture.name === name) as Extract<RegisteredArchitecture, { name: N }>;
}

/** Grants `grantee` what the named architecture's smoke checks need against `stack`, its stack (see `Architecture.grantSmoke`). */
export function grantSmoke(name: ArchitectureName, stack: Stack, grantee: IGrantable, access: SmokeAccess): void {
  (architectureNamed(name) as Architecture<Stack>).grantSmoke(stack, grantee, access);
}

/** Every context key the app reads: the stage's and each architecture's (a key two architectures share is listed once). */
export const CONTEXT_KEYS: readonly ContextKey[] = [
  ...new Map([...STAGE_CONTEXT_KEYS, ...ARCHITECTURES.flatMap((a) => a.contextKeys)].map((key) => [key.name, key])).values(),
];
