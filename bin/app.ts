#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS } from '../lib/app/architectures';
import { addCoffeeShopStacks } from '../lib/app/coffee-shop-app';
import { addDeliveryPipeline } from '../lib/pipeline/pipeline-app';
import { PIPELINE_CONTEXT_KEYS } from '../lib/pipeline/pipeline-config';
import { checkContextKeys, exitOnConfigError, storedContext } from '../lib/shared/context';
import { parseStage, timeToLiveSummary } from '../lib/shared/stage-config';
import { validationSummary } from '../lib/shared/validation';

/**
 * The only place that reads context. Each architecture declares and parses
 * its own keys (lib/<architecture>/architecture.ts); this hands them a reader.
 * A key nothing reads, or a bad value, stops synth with one sentence; a
 * synth that passes says which rule packs ran.
 *
 *   npx cdk synth                                   # sandbox
 *   npx cdk synth -c stage=production -c alarmEmail=ops@example.com \
 *     -c corsOrigins=https://menu.example.com
 *   npx cdk synth -c pipeline=true ...              # the delivery pipeline (docs/delivery.md)
 */
const app = new App();
exitOnConfigError(() => {
  // The CDK CLI runs the app from the project folder.
  const given = app.node.getAllContext();
  const stored = storedContext('.');
  checkContextKeys(given, [...CONTEXT_KEYS, ...PIPELINE_CONTEXT_KEYS], stored);
  const read = (key: string) => app.node.tryGetContext(key);
  if (!addDeliveryPipeline(app, read, given, stored)) addCoffeeShopStacks(app, read);
});
// Synthesizes (running the rule packs; a finding fails here) and says which packs ran.
app.synth();
if (!process.exitCode) {
  for (const line of validationSummary(app)) process.stderr.write(`${line}\n`);
  if (!app.node.tryGetContext('pipeline')) process.stderr.write(`${timeToLiveSummary(parseStage((key) => app.node.tryGetContext(key)))}\n`);
}
