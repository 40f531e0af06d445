import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type Stack, type Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import cdkJson from '../../cdk.json';
import { addCoffeeShopStacks, type CoffeeShopStacks } from '../../lib/app/coffee-shop-app';
import { type Architecture, type ArchitectureScope, architectureScope } from '../../lib/shared/architecture';
import { parseStage } from '../../lib/shared/stage-config';
import { addValidationPlugins } from '../../lib/shared/validation';

/** Raw context as a user passes it with `-c key=value`. */
export type RawContext = Readonly<Record<string, unknown>>;

/** Context for the two stages as a user would pass it with `-c`. */
export const STAGE_CONTEXTS: Record<'sandbox' | 'production', RawContext> = {
  sandbox: { stage: 'sandbox' },
  production: { stage: 'production', alarmEmail: 'ops@example.com', corsOrigins: 'https://menu.example.com' },
};

export interface SynthOptions {
  /**
   * Run esbuild for every function. Template tests leave it off: the asset
   * is then staged from the source without bundling, which keeps a test run
   * to one real bundling (in the bundling test) instead of one per stack.
   * @default false
   */
  readonly bundle?: boolean;
}

/** An empty app with cdk.json's feature flags, as `cdk synth` makes it. */
export function testApp(options: SynthOptions = {}): App {
  return new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'cdk-test-')),
    context: { ...cdkJson.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
}

/** A context reader over `raw`, as `bin/app.ts` makes one over the app's context. */
export const readerOf = (raw: RawContext) => (key: string) => raw[key];

/** The whole app, built exactly as `bin/app.ts` builds it, for app-wide tests. */
export function buildTestApp(raw: RawContext, options: SynthOptions = {}): { app: App; stacks: CoffeeShopStacks } {
  const app = testApp(options);
  return { app, stacks: addCoffeeShopStacks(app, readerOf(raw)) };
}

const appCache = new Map<string, { app: App; stacks: CoffeeShopStacks }>();

/** The whole app for a context, built once per test file; for tests that only read it. */
export function appFor(raw: RawContext): { app: App; stacks: CoffeeShopStacks } {
  const key = JSON.stringify(raw);
  const built = appCache.get(key) ?? buildTestApp(raw);
  appCache.set(key, built);
  return built;
}

/** The scope an architecture is added in, for a given context. */
export function scopeFor(architecture: Architecture<unknown>, raw: RawContext, app: Stage = testApp()): ArchitectureScope {
  return architectureScope(architecture, app, parseStage(readerOf(raw)), readerOf(raw));
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
  const app = testApp();
  const stack = architecture.add(scopeFor(architecture, raw, app));
  addValidationPlugins(app, parseStage(readerOf(raw)));
  const result = { stack, template: Template.fromStack(stack) };
  templateCache.set(key, result);
  return result;
}
