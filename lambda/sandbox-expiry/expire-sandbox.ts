import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { requiredEnv } from '../shared/env';
import { afterDeletion, atDeadline, CHECK_AFTER_HOURS, type ExpiryAction, hoursAfter, planFrom } from './deadline';
import { armExpiry, currentDeadline, disarmExpiry, type ExpirySchedules, scheduleAgain } from './schedules';

/**
 * A sandbox stack's time to live. One function, three callers:
 * - CloudFormation (the stack's `Custom::SandboxExpiry` resource, updated by
 *   every deployment that changes the stack): arms the deadline `hours` from
 *   now and answers it as `ExpiresAt`;
 * - the warning schedule, an hour before: tells the notice topic (email when
 *   the stage has `alarmEmail`) and counts `ExpiryWarnings`;
 * - the deadline schedule: deletes the stack with the CloudFormation service
 *   role its deployments used (the CDK bootstrap's execution role), then
 *   checks an hour later, up to three times, that it is gone; a deletion that
 *   fails is told to the topic and counted in `ExpiryFailures`, once.
 */
const logger = new Logger();
const metrics = new Metrics();
const scheduler = new SchedulerClient({});
const cloudFormation = new CloudFormationClient({});
const sns = new SNSClient({});

const STACK_ID = requiredEnv('STACK_ID');
const STACK_NAME = requiredEnv('STACK_NAME');
const ARCHITECTURE = requiredEnv('ARCHITECTURE');
const TIME_TO_LIVE_HOURS = Number(requiredEnv('TIME_TO_LIVE_HOURS'));
const SCHEDULE_GROUP = requiredEnv('SCHEDULE_GROUP');
const SCHEDULER_ROLE_ARN = requiredEnv('SCHEDULER_ROLE_ARN');
const NOTICE_TOPIC_ARN = process.env.NOTICE_TOPIC_ARN || undefined;

/** The command that keeps the stack longer, as the notices name it. */
const EXTEND_COMMAND = `npm run sandbox -- extend ${ARCHITECTURE} --hours ${TIME_TO_LIVE_HOURS}`;

type Event = CloudFormationCustomResourceEvent | ExpiryAction;

export async function handler(event: Event, context: Pick<Context, 'invokedFunctionArn'>): Promise<void> {
  const schedules: ExpirySchedules = {
    group: SCHEDULE_GROUP,
    functionArn: context.invokedFunctionArn,
    roleArn: SCHEDULER_ROLE_ARN,
    stackName: STACK_NAME,
  };
  try {
    if ('RequestType' in event) await onDeployment(event, schedules);
    else if (event.action === 'warn') await warn();
    else if (event.action === 'expire') await expire(event.attempt, schedules);
    else if (event.action === 'check') await check(event.attempt, schedules);
    else logger.error('Unknown event', { event });
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

/** A deployment created, changed or deleted the stack's time to live resource. */
async function onDeployment(event: CloudFormationCustomResourceEvent, schedules: ExpirySchedules): Promise<void> {
  const physicalResourceId = `${STACK_NAME}-time-to-live`;
  try {
    if (event.RequestType === 'Delete') {
      await disarmExpiry(scheduler, schedules);
      await respond(event, { Status: 'SUCCESS', PhysicalResourceId: physicalResourceId });
      return;
    }
    const now = new Date();
    const plan = planFrom(now, TIME_TO_LIVE_HOURS);
    await armExpiry(scheduler, schedules, plan, now);
    logger.info('Time to live armed', { stack: STACK_NAME, expiresAt: plan.deadline.toISOString() });
    await respond(event, { Status: 'SUCCESS', PhysicalResourceId: physicalResourceId, Data: { ExpiresAt: plan.deadline.toISOString() } });
  } catch (error) {
    logger.error('Time to live not armed', { error });
    // A stack's deletion is never held up by its time to live.
    const status = event.RequestType === 'Delete' ? 'SUCCESS' : 'FAILED';
    await respond(event, {
      Status: status,
      PhysicalResourceId: physicalResourceId,
      Reason: `Sandbox time to live: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 500),
    });
  }
}

async function warn(): Promise<void> {
  const deadline = await currentDeadline(scheduler, SCHEDULE_GROUP);
  if (!deadline) {
    logger.warn('No deadline armed: nothing to warn of');
    return;
  }
  metrics.addMetric('ExpiryWarnings', MetricUnit.Count, 1);
  logger.warn('Sandbox stack expires soon', { stack: STACK_NAME, expiresAt: deadline.toISOString() });
  await notify(
    `${STACK_NAME} is deleted at ${deadline.toISOString()}`,
    [
      `The sandbox stack ${STACK_NAME} reaches the end of its time to live at ${deadline.toISOString()} (UTC), in about an hour, and will then be deleted as \`npx cdk destroy\` would delete it.`,
      '',
      `To keep it ${TIME_TO_LIVE_HOURS} more hours from now: ${EXTEND_COMMAND}`,
      'A deployment that changes the stack also starts its time to live again.',
      'To turn the time to live off: deploy with -c sandboxTtlHours=0.',
    ].join('\n'),
  );
}

async function expire(attempt: number, schedules: ExpirySchedules): Promise<void> {
  const stack = await describeStack();
  const decision = atDeadline(stack?.StackStatus, attempt, new Date());
  if (decision.kind === 'gone') return;
  if (decision.kind === 'postpone') {
    logger.warn('Stack busy at its deadline: deletion postponed', { status: stack?.StackStatus, until: decision.until.toISOString() });
    await scheduleAgain(scheduler, schedules, decision.until, { action: 'expire', attempt: decision.attempt });
    return;
  }
  if (decision.kind === 'give-up') return fail(decision.reason);
  if (!stack?.RoleARN) {
    return fail(
      'it was deployed without a CloudFormation service role, and the expiry deletes only with the role its deployments use (the CDK bootstrap execution role)',
    );
  }
  try {
    await cloudFormation.send(new DeleteStackCommand({ StackName: STACK_ID, RoleARN: stack.RoleARN }));
  } catch (error) {
    return fail(`DeleteStack was refused: ${(error as Error).name}: ${(error as Error).message}`);
  }
  metrics.addMetric('ExpiryDeletions', MetricUnit.Count, 1);
  logger.info('Sandbox stack deletion started', { stack: STACK_NAME });
  // Gone when it works (with this function and its schedules); if anything is left, this check finds it.
  await scheduleAgain(scheduler, schedules, hoursAfter(new Date(), CHECK_AFTER_HOURS), { action: 'check', attempt: 1 });
}

async function check(attempt: number, schedules: ExpirySchedules): Promise<void> {
  const stack = await describeStack();
  const found = afterDeletion(stack?.StackStatus, attempt, new Date());
  if (found.kind === 'deleted') return;
  if (found.kind === 'check-again') {
    await scheduleAgain(scheduler, schedules, found.at, { action: 'check', attempt: found.attempt });
    return;
  }
  await fail(`${found.reason}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}`);
}

/** A deletion that did not happen: said once, never retried. */
async function fail(reason: string): Promise<void> {
  metrics.addMetric('ExpiryFailures', MetricUnit.Count, 1);
  logger.error('Sandbox stack not deleted at its deadline', { stack: STACK_NAME, reason });
  await notify(
    `${STACK_NAME} could not be deleted at its deadline`,
    [
      `The sandbox stack ${STACK_NAME} reached the end of its time to live but was not deleted: ${reason}.`,
      '',
      'Nothing will retry it. Its stack events in the CloudFormation console name what blocked the deletion;',
      `remove that (for example a resource added by hand), then run: npx cdk destroy ${STACK_NAME}`,
      `Or keep the stack: ${EXTEND_COMMAND}`,
    ].join('\n'),
  );
}

async function describeStack(): Promise<Stack | undefined> {
  try {
    const found = await cloudFormation.send(new DescribeStacksCommand({ StackName: STACK_ID }));
    return found.Stacks?.[0];
  } catch (error) {
    // CloudFormation answers a stack id it no longer has with a ValidationError "does not exist".
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined;
    throw error;
  }
}

async function notify(subject: string, message: string): Promise<void> {
  if (!NOTICE_TOPIC_ARN) return;
  await sns.send(new PublishCommand({ TopicArn: NOTICE_TOPIC_ARN, Subject: subject.slice(0, 99), Message: message }));
}

/** CloudFormation's answer to a custom resource request: a PUT of JSON to the pre-signed URL it gave. */
async function respond(
  event: CloudFormationCustomResourceEvent,
  answer: { Status: 'SUCCESS' | 'FAILED'; PhysicalResourceId: string; Reason?: string; Data?: Record<string, string> },
): Promise<void> {
  const body = JSON.stringify({
    ...answer,
    Reason: answer.Reason ?? 'See the expiry function log',
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const url = new URL(event.ResponseURL);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  await new Promise<void>((resolve, reject) => {
    const req = send(
      url,
      // The URL is pre-signed for a PUT without a content type.
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`CloudFormation answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
