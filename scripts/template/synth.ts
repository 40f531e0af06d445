import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type Stack, type Stage } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import cdkJson from '../../cdk.json';
import { ARCHITECTURES, architectureNamed, CONTEXT_KEYS, parseArchitectureNames } from '../../lib/app/architectures';
import { addArchitectureStacks, addCoffeeShopStacks, type CoffeeShopStacks } from '../../lib/app/coffee-shop-app';
import { PIPELINE_STACK_NAME } from '../../lib/pipeline/delivery-pipeline-stack';
import { addDeliveryPipeline } from '../../lib/pipeline/pipeline-app';
import { type Architecture, type ArchitectureScope, architectureScope } from '../../lib/shared/architecture';
import { type ContextReader, exitOnConfigError, storedContext } from '../../lib/shared/context';
import { parseStage, type StageName } from '../../lib/shared/stage-config';
import { addValidationPlugins } from '../../lib/shared/validation';
import { architectureTag, type CfnTemplate } from './template';

const ROOT = path.join(__dirname, '..', '..');

/** Raw context as a user passes it with `-c key=value`. */
export type RawContext = Readonly<Record<string, unknown>>;

/**
 * Values production requires that do not change what its templates hold
 * beyond themselves: those of the keys this app declares (a starter without
 * an API has no `corsOrigins`).
 */
export const PRODUCTION_PLACEHOLDERS: Readonly<Record<string, string>> = productionPlaceholders(CONTEXT_KEYS.map((key) => key.name));

/** The production placeholders of the keys named. */
export function productionPlaceholders(declared: readonly string[]): Readonly<Record<string, string>> {
  const all = { alarmEmail: 'ops@example.com', corsOrigins: 'https://menu.example.com' };
  return Object.fromEntries(Object.entries(all).filter(([key]) => declared.includes(key)));
}

/**
 * The delivery pipeline's context as docs/delivery.md gives it (example
 * accounts that synthesize offline), with the production placeholders.
 */
export const PIPELINE_PLACEHOLDERS = {
  pipeline: 'true',
  pipelineConnectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  pipelineRepository: 'my-org/coffee-shop',
  pipelineAccount: '111111111111',
  pipelineRegion: 'eu-west-1',
  sandboxAccount: '222222222222',
  productionAccount: '333333333333',
  ...PRODUCTION_PLACEHOLDERS,
};

/**
 * The delivery pipeline's own template, for `given` context over the
 * placeholders, as the cost report reads it: synthesized without the rule
 * packs and CloudFormation Validate (they check templates and never change
 * them; `cdk synth -c pipeline=true` and the pipeline suite run them), which
 * took most of its 7 to 13 s.
 */
export function pipelineTemplate(given: Readonly<Record<string, string>> = {}): CfnTemplate {
  const context = { ...PIPELINE_PLACEHOLDERS, ...given };
  const app = cdkApp(context, { packs: false });
  exitOnConfigError(() => {
    addDeliveryPipeline(app, (key) => app.node.tryGetContext(key), context, {}, { packs: false });
  });
  try {
    return app.synth().getStackByName(PIPELINE_STACK_NAME).template as CfnTemplate;
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** Context for the two stages as a user would pass it with `-c` (the one set of production placeholders). */
export const STAGE_CONTEXTS: Readonly<Record<StageName, RawContext>> = {
  sandbox: { stage: 'sandbox' },
  production: { stage: 'production', ...PRODUCTION_PLACEHOLDERS },
};

/** A context reader over `raw`, as `bin/app.ts` makes one over the app's context. */
export const readerOf =
  (raw: RawContext): ContextReader =>
  (key: string) =>
    raw[key];

export interface AppOptions {
  /**
   * Run esbuild for every function. Template tests and the local run leave
   * it off: the asset is then staged from the source without bundling (the
   * templates are the same but for the functions' asset hashes).
   * @default false
   */
  readonly bundle?: boolean;
  /**
   * Construct paths in each resource's Metadata, as the CLI writes them by
   * default (they also feed the logical id of an API's deployment).
   * @default false
   */
  readonly pathMetadata?: boolean;
  /**
   * The validation packs: the stage's rule packs, where the app registers
   * them, and aws-cdk-lib's own CloudFormation Validate. A synth that only
   * reads templates leaves them off: they check a template and never change
   * it, and the stack and app suites run them on the same stacks.
   * @default true
   */
  readonly packs?: boolean;
}

/** An empty app with cdk.json's feature flags (and `context`), as `cdk synth` makes it. */
export function cdkApp(context: RawContext = {}, options: AppOptions = {}): App {
  return new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'cdk-app-')),
    builtinCloudFormationValidation: options.packs !== false,
    context: {
      ...cdkJson.context,
      ...(options.pathMetadata ? { 'aws:cdk:enable-path-metadata': true } : {}),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
}

/** The whole app, built exactly as `bin/app.ts` builds it. */
export function buildApp(raw: RawContext, options: AppOptions = {}): { app: App; stacks: CoffeeShopStacks } {
  const app = cdkApp({}, options);
  return { app, stacks: addStacks(app, readerOf(raw), options) };
}

/** Every architecture's stack as `bin/app.ts` adds them, with the stage's validation packs unless `packs` is false. */
function addStacks(app: Stage, read: ContextReader, options: Pick<AppOptions, 'packs'>): CoffeeShopStacks {
  return options.packs === false ? (addArchitectureStacks(app, read, {}) as CoffeeShopStacks) : addCoffeeShopStacks(app, read);
}

/** The scope an architecture is added in, for a given context. */
export function scopeFor(architecture: Architecture<unknown>, raw: RawContext, app: Stage = cdkApp()): ArchitectureScope {
  return architectureScope(architecture, app, parseStage(readerOf(raw)), readerOf(raw));
}

/**
 * One architecture alone in an app, as its starter builds it: its stack, and
 * the app (with the stage's validation packs unless `packs` is false).
 */
export function architectureAlone<S extends Stack>(
  architecture: Architecture<S>,
  raw: RawContext,
  options: AppOptions = {},
): { app: App; stack: S } {
  const app = cdkApp({}, options);
  const stack = architecture.add(scopeFor(architecture, raw, app));
  if (options.packs ?? true) addValidationPlugins(app, parseStage(readerOf(raw)));
  return { app, stack };
}

/** One stack of a stage, with the architecture its resources are tagged with. */
export interface ArchitectureTemplate {
  readonly architecture: string;
  readonly stack: string;
  readonly template: CfnTemplate;
}

/**
 * One architecture's template alone (without bundling or validation packs),
 * synthesized here as `cdk synth` builds it: the local run and the smoke read
 * routes, queues, environment variables and stack names from it.
 */
export function synthesizeArchitecture(name: string, raw: RawContext = STAGE_CONTEXTS.sandbox): ArchitectureTemplate {
  const [known] = parseArchitectureNames([name]);
  const { app } = architectureAlone(architectureNamed(known!) as Architecture<Stack>, raw, { packs: false });
  return templatesOf(app)[0]!;
}

/** How `stageApp` and `synthTemplates` synthesize beyond the context (see AppOptions). */
export type StageSynthOptions = Pick<AppOptions, 'bundle' | 'packs'>;

/**
 * The app of a stage as `cdk synth` builds it (cdk.json and cdk.context.json
 * included), by default without bundling (the templates are the same but for
 * the functions' asset hashes). A variant is made by changing its stacks
 * before `templatesOf`.
 */
export function stageApp(
  stage: StageName,
  given: Readonly<Record<string, string>> = {},
  options: StageSynthOptions = {},
): { app: App; stacks: CoffeeShopStacks } {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'stage-')),
    builtinCloudFormationValidation: options.packs !== false,
    context: {
      ...storedContext(ROOT),
      // As the CLI sets it by default: construct paths in Metadata also feed
      // the logical id of an API's deployment, so without them it differs.
      'aws:cdk:enable-path-metadata': true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...(stage === 'production' ? PRODUCTION_PLACEHOLDERS : {}),
      ...given,
      stage,
    },
  });
  let stacks: CoffeeShopStacks | undefined;
  exitOnConfigError(() => {
    stacks = addStacks(app, (key) => app.node.tryGetContext(key), options);
  });
  return { app, stacks: stacks! };
}

/** Synthesizes `app` and returns its stacks' templates, in the order the README lists the architectures. */
export function templatesOf(app: App): ArchitectureTemplate[] {
  try {
    const assembly = app.synth();
    const order: readonly string[] = ARCHITECTURES.map((a) => a.name);
    return assembly.stacks
      .map((artifact) => ({
        architecture: architectureTag(artifact.stackName, artifact.template),
        stack: artifact.stackName,
        template: artifact.template as CfnTemplate,
      }))
      .sort((a, b) => order.indexOf(a.architecture) - order.indexOf(b.architecture));
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/**
 * The stage's templates, synthesized in process as `cdk synth` would (see
 * stageApp); with `bundle`, the functions are bundled as a deploy uploads
 * them, so their asset hashes (the S3 keys of their code) are the deployed ones.
 */
export function synthTemplates(
  stage: StageName,
  given: Readonly<Record<string, string>> = {},
  options: StageSynthOptions = {},
): ArchitectureTemplate[] {
  return templatesOf(stageApp(stage, given, options).app);
}

/**
 * The stage's architecture stacks in a cloud assembly synthesized before
 * (its nested stage assemblies included, as the delivery pipeline writes
 * them): those whose name ends in the stage, by the architecture each is
 * tagged with, in registry order.
 */
export function assemblyTemplates(dir: string, stage: StageName): ArchitectureTemplate[] {
  const order: readonly string[] = ARCHITECTURES.map((a) => a.name);
  return new CloudAssembly(dir).stacksRecursively
    .filter((artifact) => artifact.stackName.endsWith(`-${stage}`))
    .map((artifact) => ({
      architecture: architectureTag(artifact.stackName, artifact.template),
      stack: artifact.stackName,
      template: artifact.template as CfnTemplate,
    }))
    .sort((a, b) => order.indexOf(a.architecture) - order.indexOf(b.architecture));
}

/** Templates by stack name. */
export const byStack = (templates: readonly ArchitectureTemplate[]): Record<string, CfnTemplate> =>
  Object.fromEntries(templates.map(({ stack, template }) => [stack, template]));
