import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTableFromTemplate } from '../../stand-ins/dynamodb-tables';
import { type CfnTemplate, resourcesOfType } from '../template/template';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalResources } from './intrinsics';

/** Clients of the local backends an architecture needs; a missing one means its resources are not created. */
export interface LocalClients {
  readonly dynamoDb?: DynamoDBClient;
  readonly sqs?: SQSClient;
  readonly sns?: SNSClient;
  readonly kinesis?: KinesisClient;
}

/**
 * Creates the template's tables, queues (with their redrive policy and
 * visibility timeout), topics, subscriptions (filter policy, raw delivery)
 * and streams in the local backends, named after their logical ids, and
 * records what `Ref` and `Fn::GetAtt` of each resolve to.
 */
export async function createLocalResources(template: CfnTemplate, clients: LocalClients, resources: LocalResources): Promise<void> {
  const { dynamoDb, sqs, sns, kinesis } = clients;
  if (dynamoDb) {
    for (const [logicalId, table] of [
      ...resourcesOfType(template, 'AWS::DynamoDB::GlobalTable'),
      ...resourcesOfType(template, 'AWS::DynamoDB::Table'),
    ]) {
      const name = await createTableFromTemplate(
        dynamoDb,
        template as unknown as CfnTemplate,
        logicalId,
        table.Properties.TableName ?? logicalId,
      );
      resources.set(logicalId, { Ref: name, Arn: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}` });
    }
  }
  if (sqs) {
    // Dead-letter queues first: a queue's redrive policy names its DLQ's ARN.
    const queues = resourcesOfType(template, 'AWS::SQS::Queue').sort(
      ([, a], [, b]) => Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)),
    );
    for (const [logicalId, queue] of queues) {
      const props = queue.Properties ?? {};
      const attributes: Record<string, string> = {};
      if (props.VisibilityTimeout !== undefined) attributes.VisibilityTimeout = String(props.VisibilityTimeout);
      if (props.MessageRetentionPeriod !== undefined) attributes.MessageRetentionPeriod = String(props.MessageRetentionPeriod);
      if (props.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(resources.resolve(props.RedrivePolicy));
      const queueName = props.QueueName ?? logicalId;
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      resources.set(logicalId, { Ref: QueueUrl!, Arn: Attributes!.QueueArn!, QueueName: queueName, QueueUrl: QueueUrl! });
    }
  }
  if (sns) {
    for (const [logicalId, topic] of resourcesOfType(template, 'AWS::SNS::Topic')) {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topic.Properties?.TopicName ?? logicalId }));
      resources.set(logicalId, { Ref: TopicArn!, TopicArn: TopicArn! });
    }
    for (const [logicalId, subscription] of resourcesOfType(template, 'AWS::SNS::Subscription')) {
      const props = subscription.Properties;
      if (props.Protocol !== 'sqs')
        throw new Error(`Subscription ${logicalId}: only SQS subscriptions run locally (found ${props.Protocol})`);
      const attributes: Record<string, string> = {};
      if (props.FilterPolicy) attributes.FilterPolicy = JSON.stringify(props.FilterPolicy);
      if (props.FilterPolicyScope) attributes.FilterPolicyScope = props.FilterPolicyScope;
      if (props.RawMessageDelivery !== undefined) attributes.RawMessageDelivery = String(props.RawMessageDelivery);
      const { SubscriptionArn } = await sns.send(
        new SubscribeCommand({
          TopicArn: resources.resolveString(props.TopicArn),
          Protocol: 'sqs',
          Endpoint: resources.resolveString(props.Endpoint),
          Attributes: attributes,
        }),
      );
      resources.set(logicalId, { Ref: SubscriptionArn! });
    }
  }
  if (kinesis) {
    for (const [logicalId, stream] of resourcesOfType(template, 'AWS::Kinesis::Stream')) {
      // kinesalite knows only provisioned streams; the sandbox stream is provisioned too.
      const name = stream.Properties?.Name ?? logicalId;
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: stream.Properties?.ShardCount ?? 1 }));
      resources.set(logicalId, { Ref: name, Arn: `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${name}` });
    }
  }
}
