import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { QueueWithDeadLetter } from '../../lib/shared/queue-with-dead-letter';
import { resourcesOfType } from '../../scripts/template/template';
import { bareStack, STAGES } from './bare-stack';

describe('QueueWithDeadLetter', () => {
  test.each(STAGES)('%s: both queues encrypted, TLS only, removal per stage; the DLQ keeps messages 14 days', (_, stage) => {
    const stack = bareStack();
    new QueueWithDeadLetter(stack, 'Work', { stage, visibilityTimeout: Duration.seconds(60), maxReceiveCount: 3 });
    const template = Template.fromStack(stack);
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const [, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      expect(queue.DeletionPolicy).toBe(stage.deletionProtection ? 'Retain' : 'Delete');
    }
    const [dlqId] = queues.find(([, q]) => q.Properties.RedrivePolicy === undefined)!;
    const main = queues.find(([, q]) => q.Properties.RedrivePolicy !== undefined)![1];
    expect(main.Properties).toMatchObject({
      VisibilityTimeout: 60,
      MessageRetentionPeriod: 4 * 86400,
      RedrivePolicy: { maxReceiveCount: 3 },
    });
    expect(JSON.stringify(main.Properties.RedrivePolicy.deadLetterTargetArn)).toContain(dlqId);
    expect(queues.find(([id]) => id === dlqId)![1].Properties.MessageRetentionPeriod).toBe(14 * 86400);
    for (const [, policy] of resourcesOfType(template, 'AWS::SQS::QueuePolicy')) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  test('a consumer whose timeout is over a sixth of the visibility timeout fails synth, naming both and the rule', () => {
    const stack = bareStack();
    const queue = new QueueWithDeadLetter(stack, 'Work', { stage: STAGES[0]![1], visibilityTimeout: Duration.seconds(120) });
    const consumer = new Construct(stack, 'Consumer');
    expect(() => queue.checkConsumerTimeout(consumer, Duration.seconds(20))).not.toThrow();
    expect(() => queue.checkConsumerTimeout(consumer, Duration.seconds(30))).toThrow(
      'Bare/Work: visibilityTimeout must be at least 6 times the timeout of its consumer Bare/Consumer (30 seconds), so at least 180 seconds; got 120 seconds',
    );
  });

  test.each([0, 1001, 2.5])('maxReceiveCount %p is refused', (count) => {
    expect(
      () =>
        new QueueWithDeadLetter(bareStack(), 'Work', {
          stage: STAGES[0]![1],
          visibilityTimeout: Duration.seconds(30),
          maxReceiveCount: count,
        }),
    ).toThrow(/maxReceiveCount must be a whole number from 1 to 1000/);
  });
});
