import type { Stack, StackProps, Stage } from 'aws-cdk-lib';
import type { ContextKey, ContextReader } from './context';
import { addMonthlyBudget } from './monthly-budget';
import { PROJECT_NAME } from './project-name';
import { SANDBOX_EXPIRY_ID, SandboxExpiry } from './sandbox-expiry';
import type { StageConfig } from './stage-config';
import { tagArchitecture } from './tags';

/** What an architecture's entry point receives from the app. */
export interface ArchitectureScope {
  /** The architecture's name (its folder name), which tags its stacks. */
  readonly architecture: string;
  /**
   * Where its stacks are created: the app, or a Stage in it (the integ tests
   * put the stacks in one, so that they deploy under names of their own).
   */
  readonly app: Stage;
  readonly stage: StageConfig;
  /** Reads the architecture's own context keys (and only those it declares). */
  readonly read: ContextReader;
}

/**
 * One architecture as a vertical slice: its folder name (under `lib/`,
 * `lambda/`, `web/`, `test/` and `docs/`), the context keys it reads, and the
 * one function that adds its stacks. The registry (lib/app/architectures.ts)
 * lists these; every command and test derives its list of architectures from
 * it, and finds an architecture's smoke checks, local run and integ test by
 * its name (CONTRIBUTING.md, "Add an architecture").
 */
export interface Architecture<Added = Stack, Name extends string = string> {
  readonly name: Name;
  /** One line for listings such as `npm run starter -- --help`. */
  readonly summary: string;
  readonly contextKeys: readonly ContextKey[];
  /** What a run of its integ test (`npm run integ`) takes in a sandbox account, for `--list` and the README. */
  readonly integRun: { readonly minutes: string; readonly note: string };
  add(scope: ArchitectureScope): Added;
}

/** Declares an architecture, keeping its name as a literal type (the registry's `ArchitectureName` union is made of them). */
export const defineArchitecture = <const Name extends string, Added extends Stack>(
  architecture: Architecture<Added, Name>,
): Architecture<Added, Name> => architecture;

/** Prefix of every stack name: `<prefix>-<Name>-<stage>` (see project-name.ts). */
export const STACK_NAME_PREFIX = PROJECT_NAME;

/**
 * Creates an architecture's stack with what every stack owes its stage: a
 * name and description that carry the stage, termination protection per
 * stage, and the cost-allocation tags. Stacks are environment-agnostic: no
 * account or region is needed to synth.
 */
export function architectureStack<S extends Stack>(
  scope: ArchitectureScope,
  identity: { readonly name: string; readonly description: string },
  create: (id: string, props: StackProps) => S,
): S {
  const { stage } = scope;
  const stack = create(`${STACK_NAME_PREFIX}-${identity.name}-${stage.name}`, {
    description: `${identity.description} (${stage.name})`,
    terminationProtection: stage.terminationProtection,
  });
  tagArchitecture(stack, scope.architecture, stage);
  if (stage.monthlyBudget) addMonthlyBudget(stack, scope.architecture, stage.name, stage.monthlyBudget);
  if (stage.timeToLiveHours)
    new SandboxExpiry(stack, SANDBOX_EXPIRY_ID, { stage, architecture: scope.architecture, hours: stage.timeToLiveHours });
  return stack;
}

/**
 * The scope an architecture is added in: its reader answers only the keys the
 * architecture declares, so a slice cannot come to depend on a key it does
 * not own (and a starter of it knows every key it needs).
 */
export function architectureScope(
  architecture: Pick<Architecture<unknown>, 'name' | 'contextKeys'>,
  app: Stage,
  stage: StageConfig,
  read: ContextReader,
): ArchitectureScope {
  const declared = new Set(architecture.contextKeys.map((key) => key.name));
  return {
    architecture: architecture.name,
    app,
    stage,
    read: (key) => {
      if (!declared.has(key))
        throw new Error(`Architecture ${architecture.name} read the context key ${key}, which it does not declare in its contextKeys`);
      return read(key);
    },
  };
}
