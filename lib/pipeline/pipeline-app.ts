import type { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS } from '../app/architectures';
import { ContextError, type ContextReader } from '../shared/context';
import { addNist80053Checks, addValidationPlugins } from '../shared/validation';
import { DeliveryPipelineStack, PIPELINE_STACK_NAME } from './delivery-pipeline-stack';
import { PIPELINE_CONTEXT_KEYS, parsePipelineConfig, pipelineRequested } from './pipeline-config';

/**
 * With `-c pipeline=true`, the app is the delivery pipeline: `CoffeeShop-Pipeline`
 * in the tools account, and in it the stages it deploys. Returns undefined
 * (and adds nothing) otherwise; then no pipeline key may be given.
 * `packs: false` leaves out the rule packs, for a synth that only reads the
 * templates (the cost report's); they check a template and never change what
 * it costs.
 */
export function addDeliveryPipeline(
  app: App,
  read: ContextReader,
  given: Readonly<Record<string, unknown>>,
  stored: Readonly<Record<string, unknown>>,
  options: { readonly packs?: boolean } = {},
): DeliveryPipelineStack | undefined {
  if (!pipelineRequested(read)) {
    const stray = PIPELINE_CONTEXT_KEYS.map((key) => key.name).filter((name) => name !== 'pipeline' && given[name] !== undefined);
    if (stray.length > 0)
      throw new ContextError(`Context key ${stray.join(', ')} configures the delivery pipeline: add -c pipeline=true (docs/delivery.md).`);
    return undefined;
  }
  const config = parsePipelineConfig(read);
  // What the pipeline's own synth step must pass again: every key of the app given here and not already in cdk.json.
  const synthContext = Object.fromEntries(
    [...PIPELINE_CONTEXT_KEYS, ...CONTEXT_KEYS]
      .map((key) => key.name)
      .filter((name) => given[name] !== undefined && JSON.stringify(given[name]) !== JSON.stringify(stored[name]))
      .map((name) => [name, String(given[name])]),
  );
  const stack = new DeliveryPipelineStack(app, PIPELINE_STACK_NAME, { config, read, synthContext, packs: options.packs });
  if (options.packs === false) return stack;
  // AwsSolutions and Serverless check every stack (a plugin checks nested stages too: the pipeline's own
  // and both stages'); the production stage adds NIST 800-53 and Control Tower for its stacks.
  addValidationPlugins(app, { nist80053Checks: false, controlTowerChecks: false });
  addNist80053Checks(stack);
  return stack;
}
