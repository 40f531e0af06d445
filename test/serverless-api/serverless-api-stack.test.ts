import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CreateMenuItemBody, ReplaceMenuItemBody, requestBodyJsonSchema } from '../../lambda/serverless-api/menu-item-schema';
import { serverlessApi } from '../../lib/serverless-api/architecture';
import { MENU_TABLE_LOGICAL_ID } from '../../lib/serverless-api/serverless-api-stack';
import { HANDLER_ENTRY_METADATA } from '../../lib/shared/observed-function';
import { STAGE_CONTEXTS } from '../../scripts/template/synth';
import { onlyResourceOf, resourcesOfType } from '../../scripts/template/template';
import { describeAlarmDocs } from '../helpers/alarm-docs';
import { synthArchitecture } from '../helpers/synth';
import { ownResourcesOf, stageTemplates } from '../helpers/template-queries';
import { describeTemplateSnapshots } from '../helpers/template-snapshot';

const { sandbox, production, stages } = stageTemplates(serverlessApi);

/** The IAM actions granted by the default policy of the role of the function whose description starts with `prefix`. */
function actionsOfFunction(template: Template, descriptionPrefix: string): string[] {
  const [, fn] = resourcesOfType(template, 'AWS::Lambda::Function').find(([, f]) =>
    String(f.Properties?.Description).startsWith(descriptionPrefix),
  )!;
  const roleId = fn.Properties!.Role['Fn::GetAtt'][0];
  const policies = resourcesOfType(template, 'AWS::IAM::Policy')
    .map(([, r]) => r)
    .filter((p) => p.Properties!.Roles.some((r: { Ref: string }) => r.Ref === roleId));
  return policies.flatMap((p) => p.Properties!.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
}

describe('menu table', () => {
  test('keeps the pinned logical id, so a refactor never replaces the data', () => {
    expect(sandbox.toJSON().Resources).toHaveProperty(MENU_TABLE_LOGICAL_ID);
    expect(sandbox.toJSON().Resources[MENU_TABLE_LOGICAL_ID].Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(MENU_TABLE_LOGICAL_ID).toBe('MenuItemsTable');
  });

  test.each(stages)('%s: on demand with a throughput ceiling, encrypted, PITR, generated name', (_, template) => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TableName: Match.absent(),
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 50 },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          ReadOnDemandThroughputSettings: { MaxReadRequestUnits: 200 },
        }),
      ],
    });
  });

  test('sandbox: deleted with the stack, no deletion protection', () => {
    const table = onlyResourceOf(sandbox, 'AWS::DynamoDB::GlobalTable');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties!.Replicas[0].DeletionProtectionEnabled).toBe(false);
  });

  test('production: retained and protected from deletion', () => {
    const table = onlyResourceOf(production, 'AWS::DynamoDB::GlobalTable');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties!.Replicas[0].DeletionProtectionEnabled).toBe(true);
  });
});

describe('handlers', () => {
  test.each(stages)('%s: newest Node.js on arm64, traced, JSON logs in their own log group', (_, template) => {
    const functions = ownResourcesOf(template, 'AWS::Lambda::Function').map(([, r]) => r);
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: {
          LogFormat: 'JSON',
          ApplicationLogLevel: 'INFO',
          SystemLogLevel: 'WARN',
          LogGroup: { Ref: expect.stringMatching(/LogGroup/) },
        },
        Environment: {
          Variables: expect.objectContaining({
            TABLE_NAME: { Ref: MENU_TABLE_LOGICAL_ID },
            POWERTOOLS_SERVICE_NAME: 'menu-api',
            POWERTOOLS_METRICS_NAMESPACE: 'CoffeeShop/MenuApi',
          }),
        },
      });
      // Stack traces are source-mapped by the bundle itself, when formatted:
      // Node's flag would read the map at every cold start.
      expect(fn.Properties!.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  test('each function names its handler source file in the template', () => {
    const entries = ownResourcesOf(sandbox, 'AWS::Lambda::Function')
      .map(([, r]) => r)
      .map((f) => (f as { Metadata?: Record<string, string> }).Metadata?.[HANDLER_ENTRY_METADATA]);
    expect(entries.sort()).toEqual(['lambda/serverless-api/read-menu-items.ts', 'lambda/serverless-api/write-menu-items.ts']);
  });

  test('the read handler can only read the table', () => {
    const actions = actionsOfFunction(sandbox, 'Menu API: list and get');
    const dynamo = actions.filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Scan']));
    expect(dynamo.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });

  test('the write handler can write but not read or scan the table', () => {
    const actions = actionsOfFunction(sandbox, 'Menu API: create, replace and delete');
    const dynamo = actions.filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
    expect(dynamo.filter((a) => /GetItem|Scan|Query/.test(a))).toEqual([]);
  });

  test('handler roles carry no AWS managed policies and may write only their own log group', () => {
    const roles = ownResourcesOf(sandbox, 'AWS::IAM::Role')
      .map(([, r]) => r)
      .filter((r) => JSON.stringify(r.Properties!.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'));
    expect(roles).toHaveLength(2);
    for (const role of roles) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
    for (const prefix of ['Menu API: list and get', 'Menu API: create, replace and delete']) {
      const actions = actionsOfFunction(sandbox, prefix);
      expect(actions).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
      expect(actions).not.toContain('logs:CreateLogGroup');
    }
  });
});

describe('log groups', () => {
  test('the execution log group API Gateway would create on its own is created first, under its name', () => {
    const [id] = resourcesOfType(sandbox, 'AWS::Logs::LogGroup').find(([, g]) =>
      JSON.stringify(g.Properties!.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
    )!;
    sandbox.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: Match.anyValue() }, '/v1']] },
    });
    const stage = onlyResourceOf(sandbox, 'AWS::ApiGateway::Stage');
    expect(stage.DependsOn).toContain(id);
  });
});

describe('REST API', () => {
  test.each(stages)('%s: regional, traced, throttled, JSON access logs, no body logging', (_, template) => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.serializedJson(
          Match.objectLike({
            requestId: '$context.requestId',
            status: '$context.status',
            integrationLatency: '$context.integrationLatency',
            errorMessage: '$context.error.message',
          }),
        ),
      },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          DataTraceEnabled: false,
          MetricsEnabled: true,
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
      ]),
    });
  });

  test('access logs go to the access log group', () => {
    const setting = onlyResourceOf(sandbox, 'AWS::ApiGateway::Stage').Properties!.AccessLogSetting;
    const [accessLogGroupId] = resourcesOfType(sandbox, 'AWS::Logs::LogGroup').find(([id]) => id.includes('AccessLogs'))!;
    expect(JSON.stringify(setting.DestinationArn)).toContain(`"Ref":"${accessLogGroupId}"`);
  });

  test.each(stages)('%s: each write method has its own lower throttle', (_, template) => {
    const settings = onlyResourceOf(template, 'AWS::ApiGateway::Stage').Properties!.MethodSettings;
    for (const [path, method] of [
      ['/~1menu-items', 'POST'],
      ['/~1menu-items~1{id}', 'PUT'],
      ['/~1menu-items~1{id}', 'DELETE'],
    ]) {
      expect(settings).toContainEqual(
        expect.objectContaining({ ResourcePath: path, HttpMethod: method, ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 }),
      );
    }
  });

  test('execution logging is INFO in a sandbox and ERROR in production', () => {
    const level = (t: Template) =>
      onlyResourceOf(t, 'AWS::ApiGateway::Stage').Properties!.MethodSettings.find((m: any) => m.ResourcePath === '/*').LoggingLevel;
    expect(level(sandbox)).toBe('INFO');
    expect(level(production)).toBe('ERROR');
  });

  test.each(stages)('%s: reads are anonymous, every write is signed with IAM', (_, template) => {
    const methods = resourcesOfType(template, 'AWS::ApiGateway::Method')
      .map(([, r]) => r)
      .filter((m) => m.Properties!.HttpMethod !== 'OPTIONS');
    const byMethod = Object.fromEntries(
      methods.map((m) => [`${m.Properties!.HttpMethod} ${JSON.stringify(m.Properties!.ResourceId)}`, m.Properties!]),
    );
    expect(Object.keys(byMethod)).toHaveLength(5);
    for (const m of methods) {
      const expected = m.Properties!.HttpMethod === 'GET' ? 'NONE' : 'AWS_IAM';
      expect(m.Properties!.AuthorizationType).toBe(expected);
      expect(m.Properties!.Integration.Type).toBe('AWS_PROXY');
    }
  });

  test('write bodies are validated at the gateway against models derived from the handler schema', () => {
    const models = resourcesOfType(sandbox, 'AWS::ApiGateway::Model')
      .map(([, r]) => r)
      .map((m) => m.Properties!.Schema);
    expect(models).toContainEqual(requestBodyJsonSchema(CreateMenuItemBody));
    expect(models).toContainEqual(requestBodyJsonSchema(ReplaceMenuItemBody));
    expect(requestBodyJsonSchema(CreateMenuItemBody)).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['name', 'category', 'priceCents']),
    });
    for (const method of ['POST', 'PUT']) {
      sandbox.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('MenuItemModel') } },
        RequestValidatorId: { Ref: Match.stringLikeRegexp('BodyValidator') },
      });
    }
    sandbox.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
  });

  test('gateway validation errors come back as JSON with the validation message', () => {
    sandbox.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('\\$context.error.validationErrorString') },
    });
  });

  test('sandbox allows any origin; production allows only the configured origins', () => {
    const preflight = (t: Template) =>
      resourcesOfType(t, 'AWS::ApiGateway::Method')
        .map(([, r]) => r)
        .filter((m) => m.Properties!.HttpMethod === 'OPTIONS');
    expect(preflight(sandbox).length).toBeGreaterThan(0);
    expect(JSON.stringify(preflight(sandbox))).toContain("'*'");
    expect(preflight(production).length).toBeGreaterThan(0);
    expect(JSON.stringify(preflight(production))).toContain("'https://menu.example.com'");
    expect(JSON.stringify(preflight(production))).not.toContain("'*'");
    production.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALLOWED_ORIGINS: 'https://menu.example.com' }) },
    });
  });

  test('production without configured origins has no CORS at all', () => {
    const { template: productionWithoutCors } = synthArchitecture(serverlessApi, { stage: 'production', alarmEmail: 'ops@example.com' });
    const preflight = resourcesOfType(productionWithoutCors, 'AWS::ApiGateway::Method')
      .map(([, r]) => r)
      .filter((m) => m.Properties!.HttpMethod === 'OPTIONS');
    expect(preflight).toEqual([]);
  });

  test('the API Gateway CloudWatch role is deleted with a sandbox and kept in production', () => {
    const role = (t: Template) =>
      resourcesOfType(t, 'AWS::IAM::Role')
        .map(([, r]) => r)
        .find((r) => JSON.stringify(r.Properties!.AssumeRolePolicyDocument).includes('apigateway.amazonaws.com'))!;
    expect(role(sandbox).DeletionPolicy).toBe('Delete');
    expect(role(production).DeletionPolicy).toBe('Retain');
    expect(onlyResourceOf(sandbox, 'AWS::ApiGateway::Account').DeletionPolicy).toBe('Delete');
  });

  test('production puts a WAF web ACL with managed rules and a per-IP rate limit in front of the stage', () => {
    production.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } }),
        Match.objectLike({ Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } } }),
      ]),
    });
    production.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    sandbox.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });
});

describe('alarms and dashboard', () => {
  const alarmMetrics = (t: Template) =>
    resourcesOfType(t, 'AWS::CloudWatch::Alarm')
      .map(([, r]) => r)
      .map((a) => JSON.stringify(a.Properties));

  test.each(stages)(
    '%s: alarms on API 5XX rate and p99 latency, Lambda errors and throttles, DynamoDB throttles and system errors',
    (stage, template) => {
      const alarms = alarmMetrics(template);
      const count = (pattern: RegExp) => alarms.filter((a) => pattern.test(a)).length;
      expect(count(/"MetricName":"5XXError","Namespace":"AWS\/ApiGateway"/)).toBe(1);
      expect(count(/"MetricName":"Latency","Namespace":"AWS\/ApiGateway".*"Stat":"p99"/)).toBe(1);
      expect(count(/"MetricName":"Errors","Namespace":"AWS\/Lambda"/)).toBe(2);
      expect(count(/"MetricName":"Throttles","Namespace":"AWS\/Lambda"/)).toBe(2);
      expect(count(/"MetricName":"ReadThrottleEvents"/)).toBe(1);
      expect(count(/"MetricName":"WriteThrottleEvents"/)).toBe(1);
      expect(count(/"MetricName":"SystemErrors"/)).toBe(1);
      // Metrics are those of this stack's API, not of any API that shares its name.
      expect(alarms.filter((a) => a.includes('AWS/ApiGateway')).every((a) => a.includes('"Value":"CoffeeShop-MenuApi-'))).toBe(true);
      // A dashboard costs $3 a month: production only.
      template.resourceCountIs('AWS::CloudWatch::Dashboard', stage === 'production' ? 1 : 0);
    },
  );

  test('production alarms notify an encrypted topic with the alarm email subscribed', () => {
    const alarms = resourcesOfType(production, 'AWS::CloudWatch::Alarm').map(([, r]) => r);
    for (const alarm of alarms) {
      expect(alarm.Properties!.ActionsEnabled).toBe(true);
      expect(alarm.Properties!.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
    }
    production.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    production.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    production.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('sandbox without an alarm email: alarms change state only, no topic', () => {
    sandbox.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of resourcesOfType(sandbox, 'AWS::CloudWatch::Alarm').map(([, r]) => r)) {
      expect(alarm.Properties!.ActionsEnabled).toBe(false);
    }
  });
});

describe('stack', () => {
  test.each(stages)('%s: outputs the API URL', (_, template) => {
    template.hasOutput('ApiUrl', {});
  });
});

describeTemplateSnapshots(serverlessApi, __dirname);
describeAlarmDocs(serverlessApi, [STAGE_CONTEXTS.sandbox, STAGE_CONTEXTS.production]);
