import type { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CoffeeShopStacks } from '../../lib/app/coffee-shop-app';
import type { Architecture } from '../../lib/shared/architecture';
import { architectureAlone, buildApp, type RawContext } from '../../scripts/template/synth';

const appCache = new Map<string, { app: App; stacks: CoffeeShopStacks }>();

/** The whole app for a context, built once per test file; for tests that only read it. */
export function appFor(raw: RawContext): { app: App; stacks: CoffeeShopStacks } {
  const key = JSON.stringify(raw);
  const built = appCache.get(key) ?? buildApp(raw);
  appCache.set(key, built);
  return built;
}

const templateCache = new Map<string, { stack: Stack; template: Template }>();

/**
 * One architecture alone in an app, with the validation packs, as its
 * starter would build it: its stack and template, synthesized once per
 * context in a test file (templates are read-only, so sharing is safe).
 */
export function synthArchitecture<S extends Stack>(architecture: Architecture<S>, raw: RawContext): { stack: S; template: Template } {
  const key = `${architecture.name} ${JSON.stringify(raw)}`;
  const cached = templateCache.get(key);
  if (cached) return cached as { stack: S; template: Template };
  const { stack } = architectureAlone(architecture, raw);
  const result = { stack, template: Template.fromStack(stack) };
  templateCache.set(key, result);
  return result;
}
