import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ARCHITECTURES } from '../lib/app/architectures';
import { addCoffeeShopStacks, type CoffeeShopStacks } from '../lib/app/coffee-shop-app';
import { exitOnConfigError, storedContext } from '../lib/shared/context';
import type { StageName } from '../lib/shared/stage-config';

const ROOT = path.join(__dirname, '..');

/** Values production requires that do not change what its templates hold beyond themselves. */
export const PRODUCTION_PLACEHOLDERS = { alarmEmail: 'ops@example.com', corsOrigins: 'https://menu.example.com' };

/** A synthesized CloudFormation template as JSON. */
export interface StackTemplate {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: any; readonly [key: string]: any }>>;
  readonly [section: string]: any;
}

/** One stack of a stage, with the architecture its resources are tagged with. */
export interface ArchitectureTemplate {
  readonly architecture: string;
  readonly stack: string;
  readonly template: StackTemplate;
}

/**
 * The app of a stage as `cdk synth` builds it (cdk.json and cdk.context.json
 * included), by default without bundling (the templates are the same but for
 * the functions' asset hashes). A variant is made by changing its stacks
 * before `templatesOf`.
 */
export function stageApp(
  stage: StageName,
  given: Readonly<Record<string, string>> = {},
  options: { readonly bundle?: boolean } = {},
): { app: App; stacks: CoffeeShopStacks } {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'stage-')),
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
    stacks = addCoffeeShopStacks(app, (key) => app.node.tryGetContext(key));
  });
  return { app, stacks: stacks! };
}

/** Synthesizes `app` and returns its stacks' templates, in the order the README lists the architectures. */
export function templatesOf(app: App): ArchitectureTemplate[] {
  try {
    const assembly = app.synth();
    const order = ARCHITECTURES.map((a) => a.name);
    return assembly.stacks
      .map((artifact) => ({
        architecture: architectureTag(artifact.stackName, artifact.template),
        stack: artifact.stackName,
        template: artifact.template as StackTemplate,
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
  options: { readonly bundle?: boolean } = {},
): ArchitectureTemplate[] {
  return templatesOf(stageApp(stage, given, options).app);
}

/** Templates by stack name. */
export const byStack = (templates: readonly ArchitectureTemplate[]): Record<string, StackTemplate> =>
  Object.fromEntries(templates.map(({ stack, template }) => [stack, template]));

/** The `architecture` cost-allocation tag the stack's resources carry (one value per stack). */
export function architectureTag(stackName: string, template: StackTemplate): string {
  const values = new Set(
    Object.values(template.Resources).flatMap((r) =>
      Array.isArray(r.Properties?.Tags)
        ? r.Properties.Tags.filter((t: { Key: string }) => t.Key === 'architecture').map((t: { Value: string }) => t.Value)
        : [],
    ),
  );
  if (values.size !== 1) throw new Error(`Stack ${stackName} carries ${values.size} architecture tag values, expected 1`);
  return [...values][0] as string;
}
