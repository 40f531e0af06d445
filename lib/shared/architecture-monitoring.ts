import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { StageConfig } from './stage-config';

export interface ArchitectureMonitoringProps {
  readonly stage: StageConfig;
}

/**
 * One dashboard and one alarm channel per architecture, built on
 * cdk-monitoring-constructs so each architecture only says what to watch and
 * at which threshold. Alarms notify an encrypted SNS topic with an email
 * subscription when the stage names an address (always in production); in a
 * sandbox without one, alarms still change state on the dashboard.
 */
export class ArchitectureMonitoring extends Construct {
  readonly facade: MonitoringFacade;
  /** Where alarms are sent; absent when the stage names no alarm email. */
  readonly alarmTopic?: Topic;

  constructor(scope: Construct, id: string, props: ArchitectureMonitoringProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;

    if (props.stage.alarmEmail !== undefined) {
      // CloudWatch alarms cannot publish to a topic encrypted with the AWS
      // managed SNS key, so the topic gets its own key that CloudWatch may use.
      const key = new Key(this, 'AlarmTopicKey', {
        description: `Encrypts alarm notifications of ${prefix}`,
        enableKeyRotation: true,
        removalPolicy: props.stage.statefulRemovalPolicy,
      });
      key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
      // Notifications SNS cannot deliver are kept for two weeks instead of lost.
      const undelivered = new Queue(this, 'UndeliveredAlarms', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        removalPolicy: props.stage.statefulRemovalPolicy,
      });
      Validations.of(undelivered).acknowledge(
        {
          id: 'AwsSolutions-SQS3',
          reason:
            'This queue is the dead-letter queue of the alarm email subscription (an SNS redrive policy); cdk-nag only recognises DLQs named by another queue.',
        },
        {
          id: 'Serverless-SQSRedrivePolicy',
          reason: 'A dead-letter queue of undelivered alarm notifications is the end of the line; nothing consumes it to fail again.',
        },
      );
      this.alarmTopic.addSubscription(new EmailSubscription(props.stage.alarmEmail, { deadLetterQueue: undelivered }));
    }

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: this.alarmTopic !== undefined,
        datapointsToAlarm: 2,
        evaluationPeriods: 3,
        ...(this.alarmTopic ? { action: new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic }) } : {}),
      },
      metricFactoryDefaults: { period: props.stage.alarmPeriod },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: prefix,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
  }
}
