import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { HANDLER_ENTRY_METADATA } from '../../lib/shared/observed-function';
import { SANDBOX_EXPIRY_ID } from '../../lib/shared/sandbox-expiry';
import { type RunningBackend, startAll } from '../../stand-ins/backends/backend';
import { dynamoDbLocal } from '../../stand-ins/backends/dynamodb-local';
import { fauxqs } from '../../stand-ins/backends/fauxqs';
import { type CfnTemplate, resourcesOfType } from '../template/template';
import { createLocalResources } from './aws-resources';
import { LOCAL_AWS_ENV, localClientConfig } from './backends';
import { LocalEventSourceMapping } from './event-source-mapping';
import { startRoleGates } from './iam/role-gates';
import { resourceRules, roleOfFunction } from './iam/template-policies';
import { LocalResources } from './intrinsics';
import { LocalFunction } from './lambda-host';
import { LocalRestApi } from './rest-api';
import { Teardown } from './teardown';

export interface ServerlessStackOptions {
  readonly workDir: string;
  /** Port of the REST API. @default a free port */
  readonly port?: number;
  /** Handler files to run instead of those the template names, by template path (the proof suite's broken handler). */
  readonly entryOverrides?: Readonly<Record<string, string>>;
}

export interface RunningServerlessStack {
  readonly apiUrl?: string;
  /** The backends started, by what they stand in for. */
  readonly backends: { readonly dynamodb?: RunningBackend; readonly sqsSns?: RunningBackend };
  readonly resources: LocalResources;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  stop(): Promise<void>;
}

/**
 * A serverless stack's data path run from its template: the backends its
 * resource types need, its tables, queues and topics, its functions (each
 * one that names a handler file), its REST API and its SQS event source
 * mappings. CDK's own helper functions (custom resource providers) have no
 * handler file in this project and are not run.
 */
export async function startServerlessStack(template: CfnTemplate, options: ServerlessStackOptions): Promise<RunningServerlessStack> {
  const types = new Set(Object.values(template.Resources).map((resource) => resource.Type));
  const needsDynamoDb = types.has('AWS::DynamoDB::GlobalTable') || types.has('AWS::DynamoDB::Table');
  const needsSqsSns = types.has('AWS::SQS::Queue') || types.has('AWS::SNS::Topic');
  const started = await startAll([...(needsDynamoDb ? [dynamoDbLocal] : []), ...(needsSqsSns ? [fauxqs] : [])]);
  const backends = {
    dynamodb: started.find((backend) => backend.name === dynamoDbLocal.name),
    sqsSns: started.find((backend) => backend.name === fauxqs.name),
  };
  const teardown = new Teardown();
  for (const backend of started) teardown.add(() => backend.stop());
  try {
    const backendEnv: Record<string, string> = { ...LOCAL_AWS_ENV, ...Object.assign({}, ...started.map((backend) => backend.env)) };
    const dynamoDb = backends.dynamodb && new DynamoDBClient(localClientConfig(backends.dynamodb.endpoint));
    const sqs = backends.sqsSns && new SQSClient(localClientConfig(backends.sqsSns.endpoint));
    const sns = backends.sqsSns && new SNSClient(localClientConfig(backends.sqsSns.endpoint));
    teardown.add(() => {
      dynamoDb?.destroy();
      sqs?.destroy();
      sns?.destroy();
    });
    const resources = new LocalResources(template.stackName);
    await createLocalResources(template, { dynamoDb, sqs, sns }, resources);

    // Every call a function (or the API's integration role, or an event source
    // mapping polling with its function's role) makes passes an IAM gate with
    // that role's deployed policies: what the role does not allow is AccessDenied here as in AWS.
    const rules = resourceRules(template, resources);
    const upstreams = { dynamodb: backends.dynamodb?.endpoint, sqsSns: backends.sqsSns?.endpoint };
    const gated = async (roleLogicalId: string) => {
      const started = await startRoleGates(template, roleLogicalId, resources, rules, upstreams, template.stackName);
      for (const gate of started.gates) teardown.add(() => gate.stop());
      return started.env;
    };
    const roleEnv = new Map<string, Record<string, string>>();
    const functions = new Map<string, LocalFunction>();
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA] as string | undefined;
      // A local run ends with Ctrl-C: the sandbox's time to live has nothing to delete here.
      if (!entry || logicalId.startsWith(SANDBOX_EXPIRY_ID)) continue;
      const env = await gated(roleOfFunction(template, logicalId));
      roleEnv.set(logicalId, env);
      const fn = new LocalFunction({
        logicalId,
        resource,
        resources,
        workDir: options.workDir,
        backendEnv: { ...backendEnv, ...env },
        entryOverride: options.entryOverrides?.[entry],
      });
      functions.set(logicalId, fn);
      teardown.add(() => fn.stop());
    }
    // Cold starts now, so that a handler that fails to load says so at start.
    await Promise.all([...functions.values()].map((fn) => fn.start()));

    for (const [, mapping] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
      if (!sqs) throw new Error('An event source mapping needs the local SQS backend');
      // Lambda polls the queue with the function's role.
      const fnId = String(mapping.Properties.FunctionName?.Ref ?? '');
      const pollerSqs = new SQSClient(localClientConfig(roleEnv.get(fnId)?.AWS_ENDPOINT_URL_SQS ?? backends.sqsSns!.endpoint));
      teardown.add(() => pollerSqs.destroy());
      const poller = new LocalEventSourceMapping({ sqs: pollerSqs, mapping: mapping.Properties, resources, functions });
      poller.start();
      teardown.add(() => poller.stop());
    }

    let apiUrl: string | undefined;
    if (types.has('AWS::ApiGateway::RestApi')) {
      // The SQS integration sends with its credentials role (one per template here).
      const integrationRoles = new Set(
        resourcesOfType(template, 'AWS::ApiGateway::Method')
          .map(([, method]) => method.Properties?.Integration?.Credentials?.['Fn::GetAtt']?.[0])
          .filter((id): id is string => typeof id === 'string'),
      );
      if (integrationRoles.size > 1)
        throw new Error(`The local REST API sends with one integration role, the template has ${integrationRoles.size}`);
      const [integrationRole] = integrationRoles;
      const apiSqs = integrationRole && sqs ? new SQSClient(localClientConfig((await gated(integrationRole)).AWS_ENDPOINT_URL_SQS!)) : sqs;
      if (apiSqs && apiSqs !== sqs) teardown.add(() => apiSqs.destroy());
      const api = new LocalRestApi({ template, resources, functions, sqs: apiSqs, port: options.port });
      try {
        apiUrl = await api.start();
      } catch (error) {
        throw new Error(`The local REST API could not listen on port ${options.port ?? '(any)'}: ${(error as Error).message}`);
      }
      teardown.add(() => api.stop());
    }
    return { apiUrl, backends, resources, functions, stop: teardown.run };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
