import { LOCAL_ACCOUNT, LOCAL_REGION } from '../intrinsics';

/**
 * From an SDK request to what IAM authorizes: the action and the resource
 * ARN, per protocol. DynamoDB and Kinesis name the operation in
 * `X-Amz-Target` (JSON 1.0/1.1), so does SQS's JSON protocol and Secrets
 * Manager; SNS and CloudFormation speak the Query protocol (a form with
 * `Action`), EventBridge Scheduler a REST protocol (method and path). A call
 * that hands a role to a service (a schedule's target role, a stack
 * deletion's service role) also needs iam:PassRole on it. A request
 * that touches several resources (a batch over tables, a transaction) needs
 * every one of them authorized.
 */
export interface RequestedAction {
  /** IAM's name of the action, e.g. dynamodb:PutItem. */
  readonly action: string;
  readonly resource: string;
  /** Condition keys this action adds to the request's (iam:PassedToService for iam:PassRole). */
  readonly context?: Readonly<Record<string, string>>;
}

/** The service a request is for, as the error it gets back is shaped. */
export type Protocol = 'dynamodb' | 'sqs' | 'sns' | 'kinesis' | 'secretsmanager' | 'cloudformation' | 'scheduler';

export interface MappedRequest {
  readonly protocol: Protocol;
  readonly operation: string;
  readonly actions: readonly RequestedAction[];
}

const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

/** The queue's ARN from its URL (`http://host/<account>/<name>` as SQS and fauxqs write it). */
export function queueArnOfUrl(queueUrl: string): string {
  const parts = new URL(queueUrl).pathname.split('/').filter(Boolean);
  const name = parts[parts.length - 1]!;
  const account = parts.length > 1 ? parts[parts.length - 2]! : LOCAL_ACCOUNT;
  return `arn:aws:sqs:${LOCAL_REGION}:${account}:${name}`;
}

/** DynamoDB operations whose IAM action is not `dynamodb:<operation>`. */
const DYNAMODB_ITEM_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

function dynamoDb(operation: string, body: any): RequestedAction[] {
  const table = (name: string, index?: string) => arn('dynamodb', `table/${name}${index ? `/index/${index}` : ''}`);
  switch (operation) {
    case 'BatchWriteItem':
    case 'BatchGetItem':
      return Object.keys(body.RequestItems ?? {}).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return (body.TransactItems ?? []).map((item: Record<string, { TableName: string }>) => {
        const [kind, detail] = Object.entries(item)[0]!;
        return { action: `dynamodb:${DYNAMODB_ITEM_ACTIONS[kind] ?? kind}`, resource: table(detail.TableName) };
      });
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables', resource: '*' }];
    default:
      if (typeof body.TableName !== 'string') throw new Error(`DynamoDB ${operation} without a TableName`);
      return [{ action: `dynamodb:${operation}`, resource: table(body.TableName, body.IndexName) }];
  }
}

/** SQS operations authorized as another action (the batch forms). */
const SQS_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

function sqs(operation: string, body: any): RequestedAction[] {
  const action = `sqs:${SQS_ACTIONS[operation] ?? operation}`;
  if (typeof body.QueueUrl === 'string') return [{ action, resource: queueArnOfUrl(body.QueueUrl) }];
  if (operation === 'GetQueueUrl') {
    return [{ action, resource: `arn:aws:sqs:${LOCAL_REGION}:${body.QueueNameOwnerAWSAccountId ?? LOCAL_ACCOUNT}:${body.QueueName}` }];
  }
  return [{ action, resource: '*' }];
}

function sns(form: URLSearchParams): MappedRequest {
  const operation = form.get('Action') ?? '';
  const action = `sns:${operation === 'PublishBatch' ? 'Publish' : operation}`;
  const topic = form.get('TopicArn') ?? form.get('TargetArn');
  return { protocol: 'sns', operation, actions: [{ action, resource: topic ?? '*' }] };
}

function kinesis(operation: string, body: any): RequestedAction[] {
  const stream = body.StreamARN ?? (body.StreamName ? arn('kinesis', `stream/${body.StreamName}`) : '*');
  return [{ action: `kinesis:${operation}`, resource: stream }];
}

function secretsManager(operation: string, body: any): RequestedAction[] {
  const id = String(body.SecretId ?? '');
  // A name is matched as AWS matches it: against the ARN with its random six-character suffix.
  const resource = id.startsWith('arn:') ? id : arn('secretsmanager', `secret:${id}-??????`);
  return [{ action: `secretsmanager:${operation}`, resource }];
}

/** A role handed to a service with the request: the caller needs iam:PassRole on it, for that service. */
const passRole = (roleArn: string, service: string): RequestedAction => ({
  action: 'iam:PassRole',
  resource: roleArn,
  context: { 'iam:PassedToService': `${service}.amazonaws.com` },
});

/** CloudFormation's Query protocol: a stack named by its name or its id (an ARN); DeleteStack with a RoleARN passes that role. */
function cloudFormation(form: URLSearchParams): MappedRequest {
  const operation = form.get('Action') ?? '';
  const stack = form.get('StackName');
  const resource = !stack ? '*' : stack.startsWith('arn:') ? stack : arn('cloudformation', `stack/${stack}/*`);
  const actions: RequestedAction[] = [{ action: `cloudformation:${operation}`, resource }];
  const role = form.get('RoleARN');
  if (role) actions.push(passRole(role, 'cloudformation'));
  return { protocol: 'cloudformation', operation, actions };
}

/** EventBridge Scheduler's REST protocol: `/schedules/{Name}`, the group in the body (create, update) or the query (get, delete). */
function scheduler(method: string, url: URL, body: Buffer): MappedRequest {
  const name = decodeURIComponent(url.pathname.split('/')[2] ?? '');
  const json = body.length ? JSON.parse(body.toString('utf8')) : {};
  const group = (method === 'GET' || method === 'DELETE' ? url.searchParams.get('groupName') : json.GroupName) ?? 'default';
  const operation = (
    { POST: 'CreateSchedule', PUT: 'UpdateSchedule', GET: 'GetSchedule', DELETE: 'DeleteSchedule' } as Record<string, string>
  )[method];
  if (!operation) throw new Error(`No IAM mapping for Scheduler ${method} ${url.pathname}`);
  const actions: RequestedAction[] = [{ action: `scheduler:${operation}`, resource: arn('scheduler', `schedule/${group}/${name}`) }];
  if (json.Target?.RoleArn) actions.push(passRole(json.Target.RoleArn, 'scheduler'));
  return { protocol: 'scheduler', operation, actions };
}

/**
 * The request's operation and what it needs authorized. `target` is the
 * `X-Amz-Target` header; `body` the raw request body.
 */
export function mapRequest(
  target: string | undefined,
  contentType: string | undefined,
  body: Buffer,
  request: { readonly method?: string; readonly path?: string } = {},
): MappedRequest {
  const url = new URL(request.path ?? '/', 'http://local');
  if (!target && url.pathname.startsWith('/schedules/')) return scheduler(request.method ?? 'GET', url, body);
  if (target) {
    const [prefix, operation] = target.split('.') as [string, string];
    const json = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (prefix.startsWith('DynamoDB_')) return { protocol: 'dynamodb', operation, actions: dynamoDb(operation, json) };
    if (prefix === 'AmazonSQS') return { protocol: 'sqs', operation, actions: sqs(operation, json) };
    if (prefix.startsWith('Kinesis_')) return { protocol: 'kinesis', operation, actions: kinesis(operation, json) };
    if (prefix === 'secretsmanager') return { protocol: 'secretsmanager', operation, actions: secretsManager(operation, json) };
    throw new Error(`No IAM mapping for X-Amz-Target ${target}`);
  }
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('Version') === '2010-03-31') return sns(form);
    if (form.get('Version') === '2010-05-15') return cloudFormation(form);
    throw new Error(`No IAM mapping for the Query request ${form.get('Action')} (version ${form.get('Version')})`);
  }
  throw new Error('No IAM mapping for a request without X-Amz-Target or a Query form');
}
