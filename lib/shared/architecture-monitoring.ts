import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { ComparisonOperator, type Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { DefaultDashboardFactory, MonitoringFacade, SnsAlarmActionStrategy } from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { limitGrantsToAwsServices } from './control-tower';
import type { StageConfig } from './stage-config';

export interface ArchitectureMonitoringProps {
  readonly stage: StageConfig;
}

/**
 * When an alarm fires: each datapoint aggregates one `period`, and the alarm
 * goes off when `datapoints` of the last `outOf` datapoints breach.
 */
export interface AlarmTiming {
  readonly period: Duration;
  readonly datapoints: number;
  readonly outOf: number;
}

/** Receives of an undelivered alarm notification before it moves to its dead-letter queue. */
export const UNDELIVERED_MAX_RECEIVE_COUNT = 10;

/** Period of the dashboards' metrics (each alarm chooses its own, see `AlarmTiming`). */
export const METRIC_PERIOD = Duration.minutes(5);

/** The first breaching minute raises it: for what must never happen (a lost customer action). */
export const ON_FIRST_MINUTE: AlarmTiming = { period: Duration.minutes(1), datapoints: 1, outOf: 1 };
/** The first breaching five minutes raise it: for errors that should not occur at all, without paging per blip. */
export const ON_FIRST_FIVE_MINUTES: AlarmTiming = { period: Duration.minutes(5), datapoints: 1, outOf: 1 };
/** Two of the last three five-minute datapoints: for rates and levels, where one busy period is normal. */
export const SUSTAINED_TEN_MINUTES: AlarmTiming = { period: Duration.minutes(5), datapoints: 2, outOf: 3 };

/** A metric and the alarm on it, for `ArchitectureMonitoring.metricAboveThreshold`. */
export interface MetricAboveThresholdOptions {
  /** Names the dashboard widget and prefixes the facade's ids. */
  readonly alarmFriendlyName: string;
  readonly humanReadableName: string;
  /** Title of the dashboard graph. */
  readonly title: string;
  readonly metric: Metric;
  /** The metric's own name within the widget. */
  readonly metricFriendlyName: string;
  /** The alarm fires when the metric is above this. */
  readonly threshold: number;
  readonly severity: 'Warning' | 'Critical';
  readonly alarm: AlarmText;
}

/** What an on-call engineer reads: the alarm's name (after the stack name) and what it means and where to look first. */
export interface AlarmText {
  /** Says what is watched and what is wrong, e.g. `OrderDeadLetterQueue-HasMessages`. */
  readonly name: string;
  /** What it means for customers, then the first thing to check. */
  readonly description: string;
  readonly timing: AlarmTiming;
}

/**
 * Alarms, one alarm channel and (when the stage has dashboards) one
 * dashboard per architecture, built on cdk-monitoring-constructs so each
 * architecture only says what to watch and at which threshold. Alarms notify
 * an encrypted SNS topic with an email subscription when the stage names an
 * address (always in production); in a sandbox without one, alarms still
 * change state in the CloudWatch console.
 */
export class ArchitectureMonitoring extends Construct {
  readonly facade: MonitoringFacade;
  /** Where alarms are sent; absent when the stage names no alarm email. */
  readonly alarmTopic?: Topic;
  /** Where SNS keeps the notifications it could not deliver, and their dead-letter queue; absent without an alarm topic. */
  readonly undeliveredAlarms?: { readonly queue: Queue; readonly deadLetterQueue: Queue };
  private readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: ArchitectureMonitoringProps) {
    super(scope, id);
    const prefix = Stack.of(this).stackName;
    this.alarmNamePrefix = prefix;

    if (props.stage.alarmEmail !== undefined) {
      // CloudWatch alarms cannot publish to a topic encrypted with the AWS
      // managed SNS key, so the topic gets its own key that CloudWatch may use.
      const key = new Key(this, 'AlarmTopicKey', {
        description: `Encrypts alarm notifications of ${prefix}`,
        enableKeyRotation: true,
        removalPolicy: props.stage.statefulRemovalPolicy,
      });
      limitGrantsToAwsServices(key);
      key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
      // Notifications SNS cannot deliver are kept for two weeks instead of
      // lost. The queue has a dead-letter queue of its own (Control Tower's
      // CT.SQS.PR.1): a notification received and not deleted ten times
      // (say, looked at in the console) moves there rather than being
      // received forever; both are alarmed below.
      const undeliveredDeadLetter = new Queue(this, 'UndeliveredAlarmsDeadLetter', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        redriveAllowPolicy: { redrivePermission: RedrivePermission.ALLOW_ALL },
        removalPolicy: props.stage.statefulRemovalPolicy,
      });
      Validations.of(undeliveredDeadLetter).acknowledge({
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'The dead-letter queue of the undelivered alarm notifications: the end of the line, kept for inspection.',
      });
      const undelivered = new Queue(this, 'UndeliveredAlarms', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        deadLetterQueue: { queue: undeliveredDeadLetter, maxReceiveCount: UNDELIVERED_MAX_RECEIVE_COUNT },
        removalPolicy: props.stage.statefulRemovalPolicy,
      });
      Validations.of(undelivered).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of the alarm email subscription (an SNS redrive policy); cdk-nag only recognises DLQs named by another queue.',
      });
      this.undeliveredAlarms = { queue: undelivered, deadLetterQueue: undeliveredDeadLetter };
      this.alarmTopic.addSubscription(new EmailSubscription(props.stage.alarmEmail, { deadLetterQueue: undelivered }));
    }

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: prefix,
        actionsEnabled: this.alarmTopic !== undefined,
        ...(this.alarmTopic ? { action: new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic }) } : {}),
      },
      metricFactoryDefaults: { period: METRIC_PERIOD },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: prefix,
        createDashboard: props.stage.dashboards,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });
    if (this.undeliveredAlarms) this.monitorUndeliveredAlarms(this.undeliveredAlarms);
  }

  /** Alarm emails SNS could not deliver (a bounced or unconfirmed address), and those received over and over without being handled. */
  private monitorUndeliveredAlarms(queues: { readonly queue: Queue; readonly deadLetterQueue: Queue }): void {
    this.facade.monitorSqsQueueWithDlq({
      queue: queues.queue,
      deadLetterQueue: queues.deadLetterQueue,
      alarmFriendlyName: 'UndeliveredAlarms',
      humanReadableName: 'Undelivered alarm notifications',
      addQueueMaxSizeAlarm: {
        Warning: {
          maxMessageCount: 0,
          ...this.alarm({
            name: 'AlarmEmail-Undelivered',
            description:
              "SNS could not deliver an alarm email (the address bounces, or the subscription was never confirmed), so the notification is in the UndeliveredAlarms queue: on-call may not have heard of an alarm. First check: the alarm topic's subscription (confirmed?) and the other alarms of this stack in the CloudWatch console.",
            timing: ON_FIRST_FIVE_MINUTES,
          }),
        },
      },
      addDeadLetterQueueMaxSizeAlarm: {
        Warning: {
          maxMessageCount: 0,
          ...this.alarm({
            name: 'UndeliveredAlarmsDeadLetter-HasMessages',
            description: `An undelivered alarm notification was received ${UNDELIVERED_MAX_RECEIVE_COUNT} times from the UndeliveredAlarms queue without being deleted and moved to its dead-letter queue. First check: read it there (it names the alarm) and delete it once handled.`,
            timing: ON_FIRST_FIVE_MINUTES,
          }),
        },
      },
    });
  }

  /**
   * The name, description and timing of one alarm, to spread into a
   * threshold of the facade (`{ Critical: { maxErrorCount: 0, ...alarm(...) } }`).
   * Every alarm of this project goes through here, so none is left with the
   * library's generic name or text.
   */
  alarm(text: AlarmText) {
    return {
      alarmNameOverride: `${this.alarmNamePrefix}-${text.name}`,
      alarmDescriptionOverride: text.description,
      period: text.timing.period,
      datapointsToAlarm: text.timing.datapoints,
      evaluationPeriods: text.timing.outOf,
    };
  }

  /**
   * One metric of the architecture's own (a business count, a service
   * metric no facade method covers) on the dashboard, with an alarm when it
   * goes above `threshold`.
   */
  metricAboveThreshold(options: MetricAboveThresholdOptions): void {
    this.facade.monitorCustom({
      alarmFriendlyName: options.alarmFriendlyName,
      humanReadableName: options.humanReadableName,
      metricGroups: [
        {
          title: options.title,
          metrics: [
            {
              metric: options.metric,
              alarmFriendlyName: options.metricFriendlyName,
              addAlarm: {
                [options.severity]: {
                  threshold: options.threshold,
                  comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  ...this.alarm(options.alarm),
                },
              },
            },
          ],
        },
      ],
    });
  }

  /**
   * An API Gateway REST API on the dashboard: 5XX responses above a rate
   * (Critical), and when given, 4XX responses above a rate and a slow 99th
   * percentile (Warning), each sustained for ten minutes.
   */
  restApi(api: RestApi, options: RestApiAlarms): this {
    const sustained = (name: string, description: string) =>
      this.alarm({ name: `${options.name}-${name}`, description, timing: SUSTAINED_TEN_MINUTES });
    this.facade.monitorApiGateway({
      api,
      apiStage: api.deploymentStage.stageName,
      alarmFriendlyName: options.name,
      humanReadableName: options.humanReadableName,
      add5XXFaultRateAlarm: {
        Critical: { maxErrorRate: options.serverErrors.maxRate, ...sustained('ServerErrorRate', options.serverErrors.description) },
      },
      ...(options.clientErrors
        ? {
            add4XXErrorRateAlarm: {
              Warning: { maxErrorRate: options.clientErrors.maxRate, ...sustained('ClientErrorRate', options.clientErrors.description) },
            },
          }
        : {}),
      ...(options.slowResponses
        ? {
            addLatencyP99Alarm: {
              Warning: { maxLatency: options.slowResponses.maxLatency, ...sustained('SlowResponses', options.slowResponses.description) },
            },
          }
        : {}),
    });
    return this;
  }

  /**
   * A queue and its dead-letter queue on the dashboard: any message in the
   * dead-letter queue (Critical, the first minute: something a customer did
   * is not being done) and, when given, a message older than a limit in the
   * queue (Warning, the first minute: its consumer is behind or stopped).
   */
  queueWithDeadLetter(queues: { readonly queue: IQueue; readonly deadLetterQueue: IQueue }, options: QueueAlarms): this {
    this.facade.monitorSqsQueueWithDlq({
      queue: queues.queue,
      deadLetterQueue: queues.deadLetterQueue,
      alarmFriendlyName: options.name,
      humanReadableName: options.humanReadableName,
      addDeadLetterQueueMaxSizeAlarm: {
        Critical: {
          maxMessageCount: 0,
          ...this.alarm({
            name: `${options.deadLetter.name}-HasMessages`,
            description: options.deadLetter.description,
            timing: ON_FIRST_MINUTE,
          }),
        },
      },
      ...(options.oldestMessage
        ? {
            addQueueMaxMessageAgeAlarm: {
              Warning: {
                maxAgeInSeconds: options.oldestMessage.maxAge.toSeconds(),
                ...this.alarm({
                  name: `${options.name}-OldestOver${options.oldestMessage.maxAge.toMinutes()}Minutes`,
                  description: options.oldestMessage.description,
                  timing: ON_FIRST_MINUTE,
                }),
              },
            },
          }
        : {}),
    });
    return this;
  }

  /**
   * A Kinesis data stream on the dashboard: records its consumer has not read
   * for longer than a limit (Warning, the first minute: delivery stalled, and
   * the stream's retention is running out) and writes refused for lack of
   * throughput (Warning, sustained).
   */
  stream(streamName: string, options: StreamAlarms): this {
    this.facade.monitorKinesisDataStream({
      streamName,
      alarmFriendlyName: options.name,
      humanReadableName: options.humanReadableName,
      addIteratorMaxAgeAlarm: {
        Warning: {
          maxAgeInMillis: options.deliveryStalled.maxAge.toMilliseconds(),
          ...this.alarm({
            name: `${options.name}-DeliveryStalled`,
            description: options.deliveryStalled.description,
            timing: ON_FIRST_MINUTE,
          }),
        },
      },
      addWriteProvisionedThroughputExceededAlarm: {
        Warning: {
          maxRecordsThrottledThreshold: 0,
          ...this.alarm({ name: `${options.name}-WritesThrottled`, description: options.writesThrottled, timing: SUSTAINED_TEN_MINUTES }),
        },
      },
    });
    return this;
  }

  /**
   * An on-demand DynamoDB table on the dashboard: throttled writes (and
   * reads, when the architecture reads on a request path) and DynamoDB's own
   * errors.
   */
  table(
    table: ITable,
    options: { readonly name: string; readonly humanReadableName: string; readonly what: string; readonly reads: boolean },
  ): this {
    const { name, what } = options;
    const throttled = (kind: 'Read' | 'Write') => ({
      Warning: {
        maxThrottledEventsThreshold: 0,
        ...this.alarm({
          name: `${name}-${kind}Throttled`,
          description: `DynamoDB throttled ${kind.toLowerCase()}s of the ${what} table (on demand: traffic over twice its previous peak, or one hot key); the SDK retries, callers see latency or errors. First check: the table's consumed capacity metrics (for a hot key, turn on CloudWatch Contributor Insights for the table).`,
          timing: SUSTAINED_TEN_MINUTES,
        }),
      },
    });
    this.facade.monitorDynamoTable({
      table,
      alarmFriendlyName: name,
      humanReadableName: options.humanReadableName,
      ...(options.reads ? { addReadThrottledEventsCountAlarm: throttled('Read') } : {}),
      addWriteThrottledEventsCountAlarm: throttled('Write'),
      addSystemErrorCountAlarm: {
        Critical: {
          maxErrorCount: 0,
          ...this.alarm({
            name: `${name}-ServiceErrors`,
            description: `DynamoDB answered requests to the ${what} table with internal errors (HTTP 500). First check: the AWS Health Dashboard for DynamoDB in this Region; the handlers' logs show which calls failed.`,
            timing: ON_FIRST_FIVE_MINUTES,
          }),
        },
      },
    });
    return this;
  }

  /**
   * A function behind an API on the dashboard: its errors (callers got a
   * 5XX) and, when asked, its throttles.
   */
  apiFunction(
    lambdaFunction: IFunction,
    options: { readonly name: string; readonly humanReadableName: string; readonly what: string; readonly throttles: boolean },
  ): this {
    const { what } = options;
    return this.functionAlarms(lambdaFunction, {
      ...options,
      errors: `The ${what} function threw or timed out, so callers got a 5XX. First check: its log group in this stack (one JSON line per error, with the request id).`,
      ...(options.throttles
        ? {
            throttled: {
              severity: 'Critical',
              description: `Lambda refused ${what} requests for lack of concurrency (the account's concurrent executions are used up), so callers got a 5XX. First check: the API's request count metric and the other functions of the account.`,
            },
          }
        : {}),
    });
  }

  /**
   * A function that consumes a queue on the dashboard: a failed batch
   * (Critical, five minutes: its messages are retried, nothing is lost yet)
   * and throttles (Warning, sustained: messages wait in the queue).
   */
  queueConsumer(
    lambdaFunction: IFunction,
    options: { readonly name: string; readonly humanReadableName: string; readonly errors: string; readonly throttled: string },
  ): this {
    return this.functionAlarms(lambdaFunction, { ...options, throttled: { severity: 'Warning', description: options.throttled } });
  }

  /** A function's errors (Critical, the first five minutes) and, when given, its throttles (sustained ten minutes): the two function kinds above. */
  private functionAlarms(
    lambdaFunction: IFunction,
    options: {
      readonly name: string;
      readonly humanReadableName: string;
      readonly errors: string;
      readonly throttled?: { readonly severity: 'Critical' | 'Warning'; readonly description: string };
    },
  ): this {
    const { name, throttled } = options;
    this.facade.monitorLambdaFunction({
      lambdaFunction,
      alarmFriendlyName: name,
      humanReadableName: options.humanReadableName,
      addFaultCountAlarm: {
        Critical: {
          maxErrorCount: 0,
          ...this.alarm({ name: `${name}-Errors`, description: options.errors, timing: ON_FIRST_FIVE_MINUTES }),
        },
      },
      ...(throttled
        ? {
            addThrottlesCountAlarm: {
              [throttled.severity]: {
                maxErrorCount: 0,
                ...this.alarm({ name: `${name}-Throttled`, description: throttled.description, timing: SUSTAINED_TEN_MINUTES }),
              },
            },
          }
        : {}),
    });
    return this;
  }
}

/** What the alarms of a REST API say; each `description` is what it means and the first thing to check. */
export interface RestApiAlarms {
  /** Names the widget and prefixes its alarms' names (`<name>-ServerErrorRate`). */
  readonly name: string;
  readonly humanReadableName: string;
  readonly serverErrors: { readonly maxRate: number; readonly description: string };
  readonly clientErrors?: { readonly maxRate: number; readonly description: string };
  readonly slowResponses?: { readonly maxLatency: Duration; readonly description: string };
}

/** What the alarms of a queue and its dead-letter queue say. */
export interface QueueAlarms {
  /** Names the widget and prefixes the age alarm (`<name>-OldestOver<N>Minutes`). */
  readonly name: string;
  readonly humanReadableName: string;
  /** `name` prefixes the alarm: `<name>-HasMessages`. */
  readonly deadLetter: { readonly name: string; readonly description: string };
  readonly oldestMessage?: { readonly maxAge: Duration; readonly description: string };
}

/** What the alarms of a stream say. */
export interface StreamAlarms {
  /** Names the widget and prefixes its alarms (`<name>-DeliveryStalled`, `<name>-WritesThrottled`). */
  readonly name: string;
  readonly humanReadableName: string;
  readonly deliveryStalled: { readonly maxAge: Duration; readonly description: string };
  readonly writesThrottled: string;
}
