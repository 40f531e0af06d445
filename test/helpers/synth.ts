import { isDeepStrictEqual } from 'node:util';
import type { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CoffeeShopStacks } from '../../lib/app/coffee-shop-app';
import type { Architecture } from '../../lib/shared/architecture';
import { architectureAlone, buildApp, type RawContext, STAGE_CONTEXTS } from '../../scripts/template/synth';

const appCache = new Map<string, { app: App; stacks: CoffeeShopStacks }>();

/** The whole app for a context, built once per test file; for tests that only read it. */
export function appFor(raw: RawContext): { app: App; stacks: CoffeeShopStacks } {
  const key = JSON.stringify(raw);
  const built = appCache.get(key) ?? buildApp(raw);
  appCache.set(key, built);
  return built;
}

const templateCache = new Map<string, { stack: Stack; template: Template }>();

/** A stage's own context, as STAGE_CONTEXTS gives it: the app-wide suite synthesizes that stage with the packs. */
const isStageContext = (raw: RawContext): boolean => Object.values(STAGE_CONTEXTS).some((context) => isDeepStrictEqual(context, raw));

/**
 * One architecture alone in an app, as its starter would build it: its stack
 * and template, synthesized once per context in a test file (templates are
 * read-only, so sharing is safe). With the validation packs only for a
 * variant (any other context): a stage's own stacks are checked by the packs
 * once per run, in the whole app (`test/app/whole-app/app-wide.ts`, which
 * proves each of those stacks equal to its snapshot file, so to this one).
 */
export function synthArchitecture<S extends Stack>(architecture: Architecture<S>, raw: RawContext): { stack: S; template: Template } {
  const key = `${architecture.name} ${JSON.stringify(raw)}`;
  const cached = templateCache.get(key);
  if (cached) return cached as { stack: S; template: Template };
  const { stack } = architectureAlone(architecture, raw, { packs: !isStageContext(raw) });
  const result = { stack, template: Template.fromStack(stack) };
  templateCache.set(key, result);
  return result;
}
