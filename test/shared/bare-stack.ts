import { App, Stack } from 'aws-cdk-lib';
import { parseStage, type StageConfig } from '../../lib/shared/stage-config';

/** The two stages' settings, as the app derives them from context. */
export const STAGES: readonly (readonly [string, StageConfig])[] = [
  ['sandbox', parseStage(() => undefined)],
  ['production', parseStage((key) => ({ stage: 'production', alarmEmail: 'ops@example.com' })[key])],
];

/** A bare stack in its own app, for testing one shared construct alone. */
export function bareStack(): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bare');
}
