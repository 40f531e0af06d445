import { DefaultStackSynthesizer, type Stack, type StackProps, type Stage } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ContextKey, ContextReader } from './context';
import { addMonthlyBudget } from './monthly-budget';
import { PROJECT_NAME } from './project-name';
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
  /**
   * The account a delivery pipeline deploys the stacks to (lib/pipeline).
   * They stay environment-agnostic, so their templates are those a `cdk
   * deploy` of the app makes, and keep the names it gives them (a pipeline
   * then deploys over stacks a person deployed by hand, not beside them);
   * only their deploy roles and asset bucket are that account's bootstrap
   * resources.
   */
  readonly deployTo?: DeployTarget;
}

/** An account and Region bootstrapped for the CDK (`cdk bootstrap --trust <tools account>`). */
export interface DeployTarget {
  readonly account: string;
  readonly region: string;
}

/**
 * The default synthesizer with `target`'s account and Region written into the
 * bootstrap roles' ARNs, where the default leaves `${AWS::AccountId}` and
 * `${AWS::Region}` to the deploying account: the pipeline deploys from the
 * tools account into `target` through them. The asset bucket's name keeps its
 * placeholders (the template reads as a `cdk deploy` writes it; asset
 * publishing fills them in with the account of the role it assumes).
 */
export function targetAccountSynthesizer(target: DeployTarget): DefaultStackSynthesizer {
  // The synthesizer's own placeholders, `${AWS::AccountId}` and `${AWS::Region}`, are plain text here.
  const inTarget = (name: string) => name.replace(/\$\{AWS::AccountId\}/g, target.account).replace(/\$\{AWS::Region\}/g, target.region);
  return new DefaultStackSynthesizer({
    deployRoleArn: inTarget(DefaultStackSynthesizer.DEFAULT_DEPLOY_ROLE_ARN),
    cloudFormationExecutionRole: inTarget(DefaultStackSynthesizer.DEFAULT_CLOUDFORMATION_ROLE_ARN),
    fileAssetPublishingRoleArn: inTarget(DefaultStackSynthesizer.DEFAULT_FILE_ASSET_PUBLISHING_ROLE_ARN),
    imageAssetPublishingRoleArn: inTarget(DefaultStackSynthesizer.DEFAULT_IMAGE_ASSET_PUBLISHING_ROLE_ARN),
    lookupRoleArn: inTarget(DefaultStackSynthesizer.DEFAULT_LOOKUP_ROLE_ARN),
  });
}

/** What `npm run smoke` may do against a deployed stack: every check, or (`--read-only`, production) those that change nothing. */
export interface SmokeAccess {
  readonly readOnly: boolean;
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
  /**
   * Loads its stack's module without adding anything. `add` loads it when
   * called (the declaration's own module imports only what the declaration
   * needs: see defineArchitecture); the app loads every one before it adds a
   * stack (`loadStackModules`).
   */
  loadStack(): unknown;
  /**
   * Grants `grantee` what this architecture's smoke checks call with AWS
   * credentials against `stack` (its APIs, queues, tables, describes), and
   * nothing else: the delivery pipeline's checks role in each target account
   * (lib/pipeline). Reading the stack's outputs is granted by the pipeline.
   */
  grantSmoke(stack: Added, grantee: IGrantable, access: SmokeAccess): void;
}

/**
 * Declares an architecture, keeping its name as a literal type (the registry's
 * `ArchitectureName` union is made of them).
 *
 * Every command reads the registry, most of them only for the names, and
 * should answer `--help` or refuse an argument without loading aws-cdk-lib's
 * constructs (README "Speed"). So an architecture's module imports only what
 * its declaration needs, and loads its stack's module in `add` and
 * `loadStack` (the `stackModule` of each architecture's architecture.ts).
 * test/app/commands.test.ts keeps it so.
 */
export const defineArchitecture = <const Name extends string, Added extends Stack>(
  architecture: Architecture<Added, Name>,
): Architecture<Added, Name> => architecture;

/** The sandbox-expiry construct's module, loaded when a stack needs it: this module is part of the registry every command reads. */
const sandboxExpiryModule = (): typeof import('./sandbox-expiry') => require('./sandbox-expiry');

/**
 * Loads the modules of the architectures' stacks, and the sandbox expiry's
 * where the stage has one, before any stack is added: each declares its
 * handlers where it loads (`handlerEntry`), and a synth's first bundling
 * bundles every handler declared by then in one esbuild run.
 */
export function loadStackModules(architectures: readonly Pick<Architecture<unknown>, 'loadStack'>[], stage: StageConfig): void {
  for (const architecture of architectures) architecture.loadStack();
  if (stage.timeToLiveHours) sandboxExpiryModule();
}

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
  // Loaded before the stack's constructs, so that its handler is declared when theirs are bundled (`loadStackModules`).
  const expiry = stage.timeToLiveHours ? sandboxExpiryModule() : undefined;
  const id = `${STACK_NAME_PREFIX}-${identity.name}-${stage.name}`;
  const stack = create(id, {
    ...(scope.deployTo ? { stackName: id, synthesizer: targetAccountSynthesizer(scope.deployTo) } : {}),
    description: `${identity.description} (${stage.name})`,
    terminationProtection: stage.terminationProtection,
  });
  tagArchitecture(stack, scope.architecture, stage);
  if (stage.monthlyBudget) addMonthlyBudget(stack, scope.architecture, stage.name, stage.monthlyBudget);
  if (expiry && stage.timeToLiveHours)
    new expiry.SandboxExpiry(stack, expiry.SANDBOX_EXPIRY_ID, { stage, architecture: scope.architecture, hours: stage.timeToLiveHours });
  return stack;
}

/**
 * The scope an architecture is added in: its reader answers only the keys the
 * architecture declares, so a slice cannot come to depend on a key it does
 * not own (and a starter of it knows every key it needs).
 */
export function architectureScope(
  architecture: Pick<Architecture, 'name' | 'contextKeys'>,
  app: Stage,
  stage: StageConfig,
  read: ContextReader,
  options: { readonly deployTo?: DeployTarget } = {},
): ArchitectureScope {
  const declared = new Set(architecture.contextKeys.map((key) => key.name));
  return {
    architecture: architecture.name,
    app,
    stage,
    ...options,
    read: (key) => {
      if (!declared.has(key))
        throw new Error(`Architecture ${architecture.name} read the context key ${key}, which it does not declare in its contextKeys`);
      return read(key);
    },
  };
}
