import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addCoffeeShopStacks, type CoffeeShopStacks } from '../../lib/app/coffee-shop-app';
import { type AppConfig, parseAppConfig, type RawAppContext } from '../../lib/shared/stage-config';
import cdkJson from '../../cdk.json';

/** Context for the two stages as a user would pass it with `-c`. */
export const STAGE_CONTEXTS: Record<'sandbox' | 'production', RawAppContext> = {
  sandbox: { stage: 'sandbox' },
  production: { stage: 'production', alarmEmail: 'ops@example.com', corsOrigins: 'https://menu.example.com' },
};

export interface SynthOptions {
  /**
   * Run esbuild for every function. Template tests leave it off: the asset
   * is then staged from the source without bundling, which keeps a test run
   * to one real bundling (in the app synth test) instead of one per stack.
   * @default false
   */
  readonly bundle?: boolean;
}

export interface TestApp {
  readonly app: App;
  readonly config: AppConfig;
  readonly stacks: CoffeeShopStacks;
}

/**
 * Builds the whole app exactly as `bin/app.ts` does, with cdk.json's feature
 * flags, for the given context.
 */
export function buildTestApp(raw: RawAppContext, options: SynthOptions = {}): TestApp {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'cdk-test-')),
    context: {
      ...cdkJson.context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const config = parseAppConfig(raw);
  const stacks = addCoffeeShopStacks(app, config);
  return { app, config, stacks };
}

const templateCache = new Map<string, Record<keyof CoffeeShopStacks, Template> & TestApp>();

/**
 * Templates of every stack for one context, by architecture; synthesized once
 * per context in a test file (templates are read-only, so sharing is safe).
 */
export function templatesFor(raw: RawAppContext): Record<keyof CoffeeShopStacks, Template> & TestApp {
  const key = JSON.stringify(raw);
  const cached = templateCache.get(key);
  if (cached) return cached;
  const built = buildTestApp(raw);
  const templates = Object.fromEntries(
    Object.entries(built.stacks).map(([name, stack]) => [name, Template.fromStack(stack)]),
  ) as Record<keyof CoffeeShopStacks, Template>;
  const result = { ...built, ...templates };
  templateCache.set(key, result);
  return result;
}
