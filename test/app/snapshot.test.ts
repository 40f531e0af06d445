import { Template } from 'aws-cdk-lib/assertions';
import { STAGE_CONTEXTS, buildTestApp } from '../helpers/synth';

/**
 * Safety net, not the specification: the fine-grained tests say what matters.
 * Asset hashes are normalised (test/helpers/asset-hash-serializer.ts), so a
 * snapshot changes only when a template does. Update with `npx jest -u`
 * after reading the diff.
 */
describe.each(Object.keys(STAGE_CONTEXTS) as (keyof typeof STAGE_CONTEXTS)[])('%s templates', (stage) => {
  const { stacks } = buildTestApp(STAGE_CONTEXTS[stage]);
  test.each(Object.entries(stacks))('%s matches the snapshot', (_, stack) => {
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});
