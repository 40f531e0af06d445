import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalAttributes } from '../intrinsics';
import { queueArnOfUrl } from './requests';

/**
 * What `Ref` and `Fn::GetAtt` of a template resource are locally, from the
 * one value a test or a local run knows of it (a table's name, a queue's URL,
 * a topic's ARN, a stream's name, a schedule group's name, a role's ARN).
 */
export function standInOf(type: string, value: string): LocalAttributes {
  switch (type) {
    case 'AWS::DynamoDB::GlobalTable':
    case 'AWS::DynamoDB::Table': {
      const arn = `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${value}`;
      return { Ref: value, Arn: arn, StreamArn: `${arn}/stream/local` };
    }
    case 'AWS::SNS::Topic':
      return { Ref: value, TopicArn: value, TopicName: value.split(':').pop()! };
    case 'AWS::SQS::Queue':
      return { Ref: value, Arn: queueArnOfUrl(value), QueueUrl: value, QueueName: new URL(value).pathname.split('/').pop()! };
    case 'AWS::Kinesis::Stream':
      return { Ref: value, Arn: `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${value}` };
    case 'AWS::Scheduler::ScheduleGroup':
      // SchedulesArn: the prefix of its schedules' ARNs, so a call on a schedule is traced to its group.
      return {
        Ref: value,
        Arn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule-group/${value}`,
        SchedulesArn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${value}`,
      };
    case 'AWS::IAM::Role':
      // A role is known by its ARN.
      return { Ref: value.split('/').pop()!, Arn: value };
    default:
      throw new Error(`No local stand-in for a ${type}`);
  }
}
