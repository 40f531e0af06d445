import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type LogGroupProps } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { limitGrantsToAwsServices } from './control-tower';
import type { StageConfig } from './stage-config';

/**
 * A log group that keeps logs for the stage's retention and goes with a
 * sandbox stack (kept in production), encrypted with the stack's log key
 * where the stage has one. Every log group in the project is made here, so
 * no log group is ever kept forever, left behind by `cdk destroy`, or left
 * on CloudWatch Logs' own encryption in production.
 */
export class StageLogGroup extends LogGroup {
  constructor(scope: Construct, id: string, props: StageLogGroupProps) {
    const { stage, ...logGroupProps } = props;
    super(scope, id, {
      ...logGroupProps,
      retention: stage.logRetention,
      removalPolicy: stage.statefulRemovalPolicy,
      ...(stage.logEncryptionKey ? { encryptionKey: stackLogKey(scope, stage) } : {}),
    });
  }
}

/** What a caller may set: everything but retention, removal and encryption, which the stage decides. */
export type StageLogGroupProps = Omit<LogGroupProps, 'retention' | 'removalPolicy' | 'encryptionKey'> & {
  readonly stage: StageConfig;
};

const LOG_KEY_ID = 'LogsKey';

/**
 * The stack's one customer managed key for its log groups (one key, $1 a
 * month, per stack rather than per log group), created with the first log
 * group. Its policy lets CloudWatch Logs use it only for this account's log
 * groups in this region; the key is rotated yearly and kept like the logs.
 */
export function stackLogKey(scope: Construct, stage: StageConfig): IKey {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOG_KEY_ID);
  if (existing) return existing as Key;
  const key = new Key(stack, LOG_KEY_ID, {
    description: `Encrypts the log groups of ${stack.stackName}`,
    enableKeyRotation: true,
    removalPolicy: stage.statefulRemovalPolicy,
  });
  limitGrantsToAwsServices(key);
  const logsInThisRegion = new ServicePrincipal(`logs.${stack.region}.amazonaws.com`);
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [logsInThisRegion],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': Arn.format(
            { service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME },
            stack,
          ),
        },
      },
    }),
  );
  return key;
}
