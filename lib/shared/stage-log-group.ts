import { LogGroup, type LogGroupProps } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from './stage-config';

/**
 * A log group that keeps logs for the stage's retention and goes with a
 * sandbox stack (kept in production). Every log group in the project is made
 * here, so no log group is ever kept forever or left behind by `cdk destroy`.
 */
export function stageLogGroup(
  scope: Construct,
  id: string,
  stage: StageConfig,
  props: Omit<LogGroupProps, 'retention' | 'removalPolicy'> = {},
): LogGroup {
  return new LogGroup(scope, id, { ...props, retention: stage.logRetention, removalPolicy: stage.statefulRemovalPolicy });
}
