import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  type IModel,
  type JsonSchema,
  LambdaIntegration,
  type Method,
  RequestValidator,
  type RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CreateMenuItemBody, ReplaceMenuItemBody, requestBodyJsonSchema } from '../../lambda/serverless-api/menu-item-schema';
import { handlerEntry, ObservedFunction } from '../shared/observed-function';
import { ObservedRestApi, type ThrottleLimits } from '../shared/observed-rest-api';
import { PROJECT_NAME } from '../shared/project-name';
import type { StageConfig } from '../shared/stage-config';

export interface MenuApiProps {
  readonly stage: StageConfig;
  /** The menu table the handlers read and write. */
  readonly table: ITableV2;
  /** Browser origins allowed by CORS; empty disables CORS. */
  readonly corsOrigins: readonly string[];
  /** @default - 50 rps, burst 100 */
  readonly throttle?: ThrottleLimits;
  /**
   * Limit on each write method, far below reads: menu edits are rare, and a
   * leaked write credential should not be able to churn the table.
   * @default - 5 rps, burst 10
   */
  readonly writeThrottle?: ThrottleLimits;
}

const HANDLERS = path.join(__dirname, '..', '..', 'lambda', 'serverless-api');
const READ_HANDLER = handlerEntry(HANDLERS, 'read-menu-items.ts');
const WRITE_HANDLER = handlerEntry(HANDLERS, 'write-menu-items.ts');

/**
 * The menu REST API. Reads are public (the menu is what the shop shows its
 * customers); writes are signed with IAM credentials (SigV4), so only the
 * shop's own staff tooling, which already holds AWS credentials, can change
 * the menu, with no user pool or API keys to run. API keys identify, they do
 * not authenticate.
 */
export class MenuApi extends Construct {
  readonly gateway: ObservedRestApi;
  readonly readFunction: LambdaFunction;
  readonly writeFunction: LambdaFunction;

  constructor(scope: Construct, id: string, props: MenuApiProps) {
    super(scope, id);
    const { stage } = props;
    const writeThrottle = props.writeThrottle ?? { rateLimit: 5, burstLimit: 10 };
    const commonEnv = {
      TABLE_NAME: props.table.tableName,
      ALLOWED_ORIGINS: props.corsOrigins.join(','),
    };

    this.readFunction = new ObservedFunction(this, 'ReadHandler', {
      entry: READ_HANDLER,
      description: 'Menu API: list and get menu items (read-only table access)',
      invokedBy: 'api-gateway',
      stage,
      serviceName: 'menu-api',
      metricsNamespace: `${PROJECT_NAME}/MenuApi`,
      environment: commonEnv,
      // The stage throttle (50 requests/s) at a slow 0.5 s per read: 25 at once.
      reservedConcurrency: 25,
    }).function;
    // What the read handler calls: GetItem (one item) and Scan (the paged list).
    props.table.grant(this.readFunction, 'dynamodb:GetItem', 'dynamodb:Scan');

    this.writeFunction = new ObservedFunction(this, 'WriteHandler', {
      entry: WRITE_HANDLER,
      description: 'Menu API: create, replace and delete menu items (write-only table access)',
      invokedBy: 'api-gateway',
      stage,
      serviceName: 'menu-api',
      metricsNamespace: `${PROJECT_NAME}/MenuApi`,
      environment: commonEnv,
      // The write methods' burst: no more writes at once than the throttle lets through.
      reservedConcurrency: writeThrottle.burstLimit,
    }).function;
    // Writes are conditional and return their result, so no read permission is needed.
    // What the write handler calls: conditional PutItem, UpdateItem and DeleteItem.
    props.table.grant(this.writeFunction, 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');

    this.gateway = new ObservedRestApi(this, 'Gateway', {
      stage,
      name: 'menu',
      description: 'Coffee shop menu API',
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      methodThrottles: {
        '/menu-items/POST': writeThrottle,
        '/menu-items/{id}/PUT': writeThrottle,
        '/menu-items/{id}/DELETE': writeThrottle,
      },
      corsOrigins: props.corsOrigins,
      noCacheReason:
        'Every write answers with the new version and every read must show it (the version is what the next conditional update sends): a stage cache would serve a stale version for its TTL, and the smallest cache costs about $14 a month against reads served by DynamoDB in single-digit milliseconds.',
    });
    const api = this.gateway.api;

    const bodyValidator = new RequestValidator(this, 'BodyValidator', {
      restApi: api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const parameterValidator = new RequestValidator(this, 'ParameterValidator', {
      restApi: api,
      validateRequestParameters: true,
    });
    const createModel = api.addModel('CreateMenuItemModel', {
      contentType: 'application/json',
      description: 'Body of POST /menu-items',
      schema: requestBodyJsonSchema(CreateMenuItemBody) as JsonSchema,
    });
    const replaceModel = api.addModel('ReplaceMenuItemModel', {
      contentType: 'application/json',
      description: 'Body of PUT /menu-items/{id}',
      schema: requestBodyJsonSchema(ReplaceMenuItemBody) as JsonSchema,
    });

    // allowTestInvoke: false keeps each function's resource policy to the
    // deployed stage instead of adding a console test-invoke permission per method.
    const read = new LambdaIntegration(this.readFunction, { allowTestInvoke: false });
    const write = new LambdaIntegration(this.writeFunction, { allowTestInvoke: false });
    const items = api.root.addResource('menu-items');
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
    this.acknowledgeAuthorization(publicReads, signedWrites);
    this.gateway.acknowledgeInvokePermissions(...publicReads, ...signedWrites);
    this.gateway.acknowledgeCorsPreflight(items, item);
  }

  get api(): RestApi {
    return this.gateway.api;
  }

  /** The stage's invoke URL, ending in `/`. */
  get url(): string {
    return this.gateway.url;
  }

  private acknowledgeAuthorization(publicReads: Method[], signedWrites: Method[]): void {
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
  }
}
