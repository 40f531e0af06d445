import * as path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  Cors,
  EndpointType,
  type IModel,
  type JsonSchema,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  CreateMenuItemBody,
  ReplaceMenuItemBody,
  requestBodyJsonSchema,
} from '../../lambda/serverless-api/menu-item-schema';
import { ObservedFunction } from '../shared/observed-function';
import type { StageConfig } from '../shared/stage-config';

/** Requests per second (steady rate) and burst for one scope of the API. */
export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface MenuApiProps {
  readonly stage: StageConfig;
  /** The menu table the handlers read and write. */
  readonly table: ITableV2;
  /** Browser origins allowed by CORS; empty disables CORS. */
  readonly corsOrigins: readonly string[];
  /**
   * Stage-wide limit. Also caps what a runaway client can cost: API Gateway
   * answers 429 beyond it before any Lambda or DynamoDB charge.
   * @default - 50 rps, burst 100
   */
  readonly throttle?: ThrottleLimits;
  /**
   * Limit on each write method, far below reads: menu edits are rare, and a
   * leaked write credential should not be able to churn the table.
   * @default - 5 rps, burst 10
   */
  readonly writeThrottle?: ThrottleLimits;
}

const HANDLERS = path.join(__dirname, '..', '..', 'lambda', 'serverless-api');
const STAGE_NAME = 'v1';

/**
 * One JSON object per request: the standard fields plus what an on-call
 * engineer needs first (latencies, the gateway's own error, the caller's
 * IAM principal for signed writes).
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    ip: AccessLogField.contextIdentitySourceIp(),
    caller: AccessLogField.contextIdentityCaller(),
    userArn: AccessLogField.contextIdentityUserArn(),
    requestTime: AccessLogField.contextRequestTime(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    status: AccessLogField.contextStatus(),
    protocol: AccessLogField.contextProtocol(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    errorMessage: AccessLogField.contextErrorMessage(),
    validationError: AccessLogField.contextErrorValidationErrorString(),
  }),
);

/**
 * The menu REST API. Reads are public (the menu is what the shop shows its
 * customers); writes are signed with IAM credentials (SigV4), so only the
 * shop's own staff tooling, which already holds AWS credentials, can change
 * the menu, with no user pool or API keys to run. API keys identify, they do
 * not authenticate.
 */
export class MenuApi extends Construct {
  readonly api: RestApi;
  readonly readFunction: ObservedFunction;
  readonly writeFunction: ObservedFunction;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: MenuApiProps) {
    super(scope, id);
    const { stage } = props;
    const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    const writeThrottle = props.writeThrottle ?? { rateLimit: 5, burstLimit: 10 };
    const commonEnv = {
      TABLE_NAME: props.table.tableName,
      ALLOWED_ORIGINS: props.corsOrigins.join(','),
    };

    this.readFunction = new ObservedFunction(this, 'ReadHandler', {
      entry: path.join(HANDLERS, 'read-menu-items.ts'),
      description: 'Menu API: list and get menu items (read-only table access)',
      stage,
      serviceName: 'menu-api',
      metricsNamespace: 'CoffeeShop/MenuApi',
      environment: commonEnv,
    });
    props.table.grantReadData(this.readFunction.function);

    this.writeFunction = new ObservedFunction(this, 'WriteHandler', {
      entry: path.join(HANDLERS, 'write-menu-items.ts'),
      description: 'Menu API: create, replace and delete menu items (write-only table access)',
      stage,
      serviceName: 'menu-api',
      metricsNamespace: 'CoffeeShop/MenuApi',
      environment: commonEnv,
    });
    // Writes are conditional and return their result, so no read permission is needed.
    props.table.grantWriteData(this.writeFunction.function);

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.statefulRemovalPolicy,
    });

    const methodPath = (resource: string, method: string) => `${resource}/${method}`;
    const writeLimits = { throttlingRateLimit: writeThrottle.rateLimit, throttlingBurstLimit: writeThrottle.burstLimit };

    this.api = new RestApi(this, 'RestApi', {
      // API Gateway metrics are keyed by API name: a name per stack keeps a
      // sandbox and production in one account from sharing metrics and alarms.
      restApiName: `${Stack.of(this).stackName}-menu`,
      description: `Coffee shop menu API (${stage.name})`,
      endpointTypes: [EndpointType.REGIONAL],
      // API Gateway needs an account-level role to write logs. In a sandbox it
      // is deleted with the stack; in production it is kept, since other APIs
      // in the account may rely on the same account setting.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: stage.statefulRemovalPolicy,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        metricsEnabled: true,
        // Request and response bodies never reach the logs.
        dataTraceEnabled: false,
        loggingLevel: stage.name === 'production' ? MethodLoggingLevel.ERROR : MethodLoggingLevel.INFO,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: ACCESS_LOG_FORMAT,
        methodOptions: {
          [methodPath('/menu-items', 'POST')]: writeLimits,
          [methodPath('/menu-items/{id}', 'PUT')]: writeLimits,
          [methodPath('/menu-items/{id}', 'DELETE')]: writeLimits,
        },
      },
      ...(props.corsOrigins.length > 0
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
              allowHeaders: [...Cors.DEFAULT_HEADERS],
            },
          }
        : {}),
    });

    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway logging role uses the AWS managed policy AWS documents for it; an inline copy would need the same log-group wildcards and drift from AWS updates.',
    });
    for (const handler of [this.readFunction, this.writeFunction]) {
      Validations.of(handler.function).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked only synchronously by API Gateway proxy integration: a failure is returned to the caller as a 5xx, and an async dead-letter queue would never receive anything.',
      });
    }
    this.retainExecutionLogsWithStage(stage);
    this.addErrorResponses(props.corsOrigins);

    const bodyValidator = new RequestValidator(this, 'BodyValidator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const parameterValidator = new RequestValidator(this, 'ParameterValidator', {
      restApi: this.api,
      validateRequestParameters: true,
    });
    const createModel = this.api.addModel('CreateMenuItemModel', {
      contentType: 'application/json',
      description: 'Body of POST /menu-items',
      schema: requestBodyJsonSchema(CreateMenuItemBody) as JsonSchema,
    });
    const replaceModel = this.api.addModel('ReplaceMenuItemModel', {
      contentType: 'application/json',
      description: 'Body of PUT /menu-items/{id}',
      schema: requestBodyJsonSchema(ReplaceMenuItemBody) as JsonSchema,
    });

    // allowTestInvoke: false keeps each function's resource policy to the
    // deployed stage instead of adding a console test-invoke permission per method.
    const read = new LambdaIntegration(this.readFunction.function, { allowTestInvoke: false });
    const write = new LambdaIntegration(this.writeFunction.function, { allowTestInvoke: false });
    const items = this.api.root.addResource('menu-items');
    const item = items.addResource('{id}');
    const pathParameters = { 'method.request.path.id': true };
    const bodyOf = (model: IModel) => ({ requestModels: { 'application/json': model }, requestValidator: bodyValidator });

    const publicReads = [
      items.addMethod('GET', read, {
        requestParameters: { 'method.request.querystring.limit': false, 'method.request.querystring.nextToken': false },
        requestValidator: parameterValidator,
      }),
      item.addMethod('GET', read, { requestParameters: pathParameters, requestValidator: parameterValidator }),
    ];
    const signedWrites = [
      items.addMethod('POST', write, { authorizationType: AuthorizationType.IAM, ...bodyOf(createModel) }),
      item.addMethod('PUT', write, {
        authorizationType: AuthorizationType.IAM,
        requestParameters: pathParameters,
        ...bodyOf(replaceModel),
      }),
      item.addMethod('DELETE', write, {
        authorizationType: AuthorizationType.IAM,
        requestParameters: { ...pathParameters, 'method.request.querystring.version': false },
        requestValidator: parameterValidator,
      }),
    ];
    this.acknowledgeAuthorization(publicReads, signedWrites, [items, item]);

    if (stage.webApplicationFirewall) {
      this.addWebApplicationFirewall();
    } else {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'Sandbox stage: a WAF web ACL costs a fixed monthly fee per ACL and rule even when idle; the stage and per-method throttling bound abuse. The production stage attaches a web ACL.',
      });
    }
  }

  /** The stage's invoke URL, ending in `/`. */
  get url(): string {
    return this.api.url;
  }

  /**
   * API Gateway creates the execution log group itself, with no retention,
   * and CloudFormation does not know it exists, so it outlives the stack.
   * Creating it first, under the name API Gateway will use, gives it the
   * stage's retention and removal policy.
   */
  private retainExecutionLogsWithStage(stage: StageConfig): void {
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${STAGE_NAME}`,
      retention: stage.logRetention,
      removalPolicy: stage.statefulRemovalPolicy,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);
  }

  /**
   * Errors raised by the gateway itself (failed model validation, missing
   * signature, throttling) in the same JSON shape as the handlers' errors,
   * with CORS headers so a browser can read them.
   */
  private addErrorResponses(corsOrigins: readonly string[]): void {
    const corsHeaders: Record<string, string> =
      corsOrigins.length === 1 ? { 'Access-Control-Allow-Origin': `'${corsOrigins[0]}'` } : {};
    this.api.addGatewayResponse('BadRequestBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders: corsHeaders,
      templates: {
        'application/json':
          '{"error":"BadRequest","message":"Invalid request body","details":[{"field":"body","message":"$context.error.validationErrorString"}]}',
      },
    });
    for (const [id, type] of [
      ['Default4xx', ResponseType.DEFAULT_4XX],
      ['Default5xx', ResponseType.DEFAULT_5XX],
    ] as const) {
      this.api.addGatewayResponse(id, {
        type,
        responseHeaders: corsHeaders,
        templates: {
          'application/json': '{"error":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}',
        },
      });
    }
  }

  private acknowledgeAuthorization(publicReads: Method[], signedWrites: Method[], resources: Construct[]): void {
    for (const method of publicReads) {
      Validations.of(method).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason: 'The menu is public information shown to every customer; reads are anonymous by design and throttled at the stage.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'Anonymous menu read: there is no caller identity to verify, so no Cognito authorizer.',
        },
      );
    }
    for (const method of signedWrites) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Menu writes use IAM (SigV4) authorization instead of Cognito: only staff tooling holding IAM credentials edits the menu, so no user pool is needed.',
      });
    }
    for (const resource of resources) {
      const preflight = resource.node.tryFindChild('OPTIONS');
      if (!preflight) continue;
      Validations.of(preflight).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason: 'CORS preflight (OPTIONS) requests carry no credentials by specification; the mock integration returns headers only.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'CORS preflight (OPTIONS) cannot be authorized; it returns only the CORS headers.',
        },
      );
    }
  }

  /**
   * Production only: AWS managed rules for common exploits and known bad
   * inputs, and a per-client rate limit that complements the stage throttle
   * (which is shared by all clients).
   */
  private addWebApplicationFirewall(): void {
    const managedRule = (name: string, priority: number): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
    });
    const webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'MenuApiWebAcl' },
      rules: [
        managedRule('AWSManagedRulesCommonRuleSet', 1),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 2),
        {
          name: 'RateLimitPerClientIp',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'RateLimitPerClientIp' },
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      webAclArn: webAcl.attrArn,
      resourceArn: this.api.deploymentStage.stageArn,
    });
  }
}
