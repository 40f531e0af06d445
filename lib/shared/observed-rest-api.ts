import { ArnFormat, Names, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  Cors,
  EndpointType,
  LogGroupLogDestination,
  type Method,
  type MethodDeploymentOptions,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { controlTower } from './control-tower';
import type { StageConfig } from './stage-config';
import { StageLogGroup } from './stage-log-group';

/** Requests per second (steady rate) and burst for one scope of an API. */
export interface ThrottleLimits {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface ObservedRestApiProps {
  readonly stage: StageConfig;
  /** Shown in the console; the stage name is appended. */
  readonly description: string;
  /** Suffix of the API's name, which is prefixed with the stack name. */
  readonly name: string;
  /**
   * Stage-wide limit. It also caps what a runaway client can cost: API
   * Gateway answers 429 beyond it, before any backend is charged.
   */
  readonly throttle: ThrottleLimits;
  /**
   * Per-method limits, keyed by `resourcePath/METHOD`, e.g. `/items/POST`.
   * @default - none beyond the stage limit
   */
  readonly methodThrottles?: Record<string, ThrottleLimits>;
  /** Browser origins allowed by CORS; empty disables CORS. */
  readonly corsOrigins: readonly string[];
  /**
   * Request headers a browser may send besides CORS's defaults (for example an
   * API's idempotency header).
   * @default - only `Cors.DEFAULT_HEADERS`
   */
  readonly corsExtraHeaders?: readonly string[];
  /**
   * Why this API's stage has no response cache (NIST 800-53
   * APIGWCacheEnabledAndEncrypted): what a cache would serve stale here.
   */
  readonly noCacheReason: string;
}

/** Request headers WAF logs never show: the SigV4 signature and the temporary credentials' session token. */
export const WAF_REDACTED_HEADERS = ['authorization', 'x-amz-security-token'] as const;

/** The stage every API deploys to; part of every URL. */
export const API_STAGE_NAME = 'v1';

/**
 * One JSON object per request: the standard fields plus what an on-call
 * engineer needs first (latencies, the gateway's own error, the caller's
 * IAM principal for signed requests).
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
 * A regional REST API with the operational defaults every API in this project
 * shares: X-Ray tracing, JSON access logs and execution logs with the stage's
 * retention, stage and per-method throttling, errors in one JSON shape, CORS
 * from configuration, and in production a WAF web ACL.
 */
export class ObservedRestApi extends Construct {
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ObservedRestApiProps) {
    super(scope, id);
    const { stage } = props;

    this.accessLogGroup = new StageLogGroup(this, 'AccessLogs', { stage });

    const methodOptions: Record<string, MethodDeploymentOptions> = {};
    for (const [path, limits] of Object.entries(props.methodThrottles ?? {})) {
      methodOptions[path] = { throttlingRateLimit: limits.rateLimit, throttlingBurstLimit: limits.burstLimit };
    }

    this.api = new RestApi(this, 'RestApi', {
      // API Gateway metrics are keyed by API name: a name per stack keeps a
      // sandbox and production in one account from sharing metrics and alarms.
      restApiName: `${Stack.of(this).stackName}-${props.name}`,
      description: `${props.description} (${stage.name})`,
      endpointTypes: [EndpointType.REGIONAL],
      // API Gateway needs an account-level role to write logs. In a sandbox it
      // is deleted with the stack; in production it is kept, since other APIs
      // in the account may rely on the same account setting.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: stage.statefulRemovalPolicy,
      deployOptions: {
        stageName: API_STAGE_NAME,
        tracingEnabled: true,
        metricsEnabled: true,
        // Request and response bodies never reach the logs.
        dataTraceEnabled: false,
        loggingLevel: MethodLoggingLevel[stage.apiExecutionLogLevel],
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: ACCESS_LOG_FORMAT,
        methodOptions,
      },
      ...(props.corsOrigins.length > 0
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
              allowHeaders: [...Cors.DEFAULT_HEADERS, ...(props.corsExtraHeaders ?? [])],
            },
          }
        : {}),
    });
    // RestApi adds an `Endpoint` output with a generated name; each stack
    // outputs the URL once, as `ApiUrl`, with a description.
    this.api.node.tryRemoveChild('Endpoint');

    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level API Gateway logging role uses the AWS managed policy AWS documents for it; an inline copy would need the same log-group wildcards and drift from AWS updates.',
    });
    this.retainExecutionLogsWithStage(stage);
    this.addErrorResponses(props.corsOrigins);

    Validations.of(this.api.deploymentStage).acknowledge(
      { id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason: props.noCacheReason },
      {
        id: 'NIST.800.53.R5-APIGWSSLEnabled',
        reason:
          'A client certificate authenticates API Gateway to an HTTP backend; every integration here is a Lambda proxy, an AWS service (SQS) or a mock, which API Gateway calls over TLS with SigV4 and never with a client certificate.',
      },
    );
    if (stage.webApplicationFirewall) {
      this.addWebApplicationFirewall(props.name, stage);
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
   * Control Tower's CT.LAMBDA.PR.2 accepts a Lambda permission for a service
   * principal only with a `SourceArn` that is a string or a reference, and
   * reads the `Fn::Join` CDK builds as neither. Each permission a method's
   * Lambda integration adds lets `apigateway.amazonaws.com` invoke the
   * function from that one method of this API's deployed stage (`SourceArn`
   * names the API, the stage and the method); acknowledged on each.
   */
  acknowledgeInvokePermissions(...methods: Method[]): void {
    for (const method of methods) {
      for (const permission of method.node.children.filter((child) => child instanceof CfnPermission)) {
        Validations.of(permission).acknowledge(
          controlTower(
            'CT.LAMBDA.PR.2',
            `API Gateway may invoke the function only for ${method.httpMethod} ${method.resource.path} of this API's stage: the permission's SourceArn is built with Fn::Join, which the Guard rule does not read as a source ARN.`,
          ),
        );
      }
    }
  }

  /**
   * CORS preflight (OPTIONS) methods cannot be authorized; acknowledge that on
   * each resource that has one.
   */
  acknowledgeCorsPreflight(...resources: Construct[]): void {
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
   * API Gateway creates the execution log group itself, with no retention,
   * and CloudFormation does not know it exists, so it outlives the stack.
   * Creating it first, under the name API Gateway will use, gives it the
   * stage's retention and removal policy.
   */
  private retainExecutionLogsWithStage(stage: StageConfig): void {
    const executionLogs = new StageLogGroup(this, 'ExecutionLogs', {
      stage,
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE_NAME}`,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);
  }

  /**
   * Errors raised by the gateway itself (failed model validation, missing
   * signature, throttling) in the same JSON shape as the handlers' errors,
   * with a CORS header so a browser can read them. Gateway responses cannot
   * echo the request's origin, so the header is set only for a single origin.
   */
  private addErrorResponses(corsOrigins: readonly string[]): void {
    const corsHeaders: Record<string, string> = corsOrigins.length === 1 ? { 'Access-Control-Allow-Origin': `'${corsOrigins[0]}'` } : {};
    this.api.addGatewayResponse('BadRequestBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders: corsHeaders,
      templates: {
        'application/json':
          '{"error":"BadRequest","message":"Invalid request body","details":[{"field":"body","message":"$context.error.validationErrorString"}]}',
      },
    });
    this.api.addGatewayResponse('BadRequestParameters', {
      type: ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '400',
      responseHeaders: corsHeaders,
      templates: {
        'application/json':
          '{"error":"BadRequest","message":"Invalid request parameters","details":[{"field":"parameters","message":$context.error.messageString}]}',
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
          'application/json':
            '{"error":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}',
        },
      });
    }
  }

  /**
   * Production only: AWS managed rules for common exploits and known bad
   * inputs, and a per-client rate limit that complements the stage throttle
   * (which all clients share).
   */
  private addWebApplicationFirewall(name: string, stage: StageConfig): void {
    const managedRule = (ruleGroup: string, priority: number): CfnWebACL.RuleProperty => ({
      name: ruleGroup,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: ruleGroup } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: ruleGroup },
    });
    const webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${name}WebAcl` },
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

    // Every request the ACL evaluates, with the rule that decided it. WAF
    // only writes to log groups whose name starts with aws-waf-logs-; the
    // rest of the name is generated from the construct path, so two copies
    // of the stack in one account do not collide.
    const wafLogs = new StageLogGroup(this, 'WafLogs', {
      stage,
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 256 - 'aws-waf-logs-'.length })}`,
    });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      // WAF wants the log group's ARN without the trailing :* that logGroupArn has.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // SigV4 signatures and session tokens must not sit in the logs.
      redactedFields: WAF_REDACTED_HEADERS.map((header) => ({ singleHeader: { Name: header } })),
    });
  }
}
