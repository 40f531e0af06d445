#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS } from '../lib/app/architectures';
import { addCoffeeShopStacks } from '../lib/app/coffee-shop-app';
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
 */
const app = new App();
exitOnConfigError(() => {
  // The CDK CLI runs the app from the project folder.
  checkContextKeys(app.node.getAllContext(), CONTEXT_KEYS, storedContext('.'));
  addCoffeeShopStacks(app, (key) => app.node.tryGetContext(key));
});
// Synthesizes (running the rule packs; a finding fails here) and says which packs ran.
app.synth();
if (!process.exitCode) {
  for (const line of validationSummary(app)) process.stderr.write(`${line}\n`);
  process.stderr.write(`${timeToLiveSummary(parseStage((key) => app.node.tryGetContext(key)))}\n`);
}
