import { Stack, Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  AwsIntegration,
  type JsonSchema,
  LambdaIntegration,
  PassthroughBehavior,
  RequestValidator,
  type RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IDEMPOTENCY_HEADER, orderBodyJsonSchema } from '../../lambda/decoupled-orders/order-schema';
import { handlerEntry, ObservedFunction } from '../shared/observed-function';
import { ObservedRestApi, type ThrottleLimits } from '../shared/observed-rest-api';
import type { StageConfig } from '../shared/stage-config';
import { untestedGrant } from '../shared/untested-grants';
import { SEND_ORDER_FAILED_TEMPLATE, SEND_ORDER_REQUEST_TEMPLATE, SEND_ORDER_RESPONSE_TEMPLATE } from './order-intake-templates';
import { ORDERS_METRICS_NAMESPACE } from './order-worker';

const STATUS_HANDLER = handlerEntry(__dirname, '..', '..', 'lambda', 'decoupled-orders', 'get-order.ts');

export interface OrderIntakeApiProps {
  readonly stage: StageConfig;
  /** Where accepted orders are stored first. */
  readonly queue: IQueue;
  /** Read by `GET /orders/{id}`. */
  readonly ordersTable: ITableV2;
  readonly corsOrigins: readonly string[];
  /** @default - 100 rps, burst 200 */
  readonly throttle?: ThrottleLimits;
}

/**
 * `POST /orders` writes straight to SQS (no Lambda on the write path: nothing
 * to cold-start, scale or fail between the customer and durable storage) and
 * answers 202 at once; `GET /orders/{id}` reads the order's status. Both are
 * signed with IAM: the till and the ordering app hold credentials (for a
 * customer app, from a Cognito identity pool).
 */
export class OrderIntakeApi extends Construct {
  readonly gateway: ObservedRestApi;
  readonly statusFunction: LambdaFunction;

  constructor(scope: Construct, id: string, props: OrderIntakeApiProps) {
    super(scope, id);
    const { stage } = props;

    this.gateway = new ObservedRestApi(this, 'Gateway', {
      stage,
      name: 'orders',
      description: 'Coffee shop orders API',
      throttle: props.throttle ?? { rateLimit: 100, burstLimit: 200 },
      corsOrigins: props.corsOrigins,
      corsExtraHeaders: [IDEMPOTENCY_HEADER],
      noCacheReason:
        'POST /orders must reach the queue every time (a cached answer would drop an order), and GET /orders/{id} is polled while an order moves from accepted to placed: a cache would show the old status for its TTL.',
    });
    const api = this.gateway.api;
    const orders = api.root.addResource('orders');
    const order = orders.addResource('{id}');

    // The gateway may send to this one queue, and read its ARN (the
    // harmless call a rejected request makes instead of SendMessage).
    const sendRole = new Role(this, 'SendToQueueRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway: send accepted orders to the orders queue',
    });
    props.queue.grant(sendRole, 'sqs:SendMessage', 'sqs:GetQueueAttributes');
    untestedGrant(
      sendRole,
      props.queue,
      ['sqs:GetQueueAttributes'],
      "Only a refused request's mapping template calls it (instead of SendMessage); npm run local's REST emulation runs it, the handler tests do not.",
    );

    const sendToQueue = new AwsIntegration({
      service: 'sqs',
      path: `${Stack.of(this).account}/${props.queue.queueName}`,
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: sendRole,
        passthroughBehavior: PassthroughBehavior.NEVER,
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
        requestTemplates: { 'application/json': SEND_ORDER_REQUEST_TEMPLATE },
        integrationResponses: [
          { statusCode: '202', responseTemplates: { 'application/json': SEND_ORDER_RESPONSE_TEMPLATE } },
          {
            statusCode: '503',
            selectionPattern: '4\\d{2}|5\\d{2}',
            responseTemplates: { 'application/json': SEND_ORDER_FAILED_TEMPLATE },
          },
        ],
      },
    });
    const model = api.addModel('PlaceOrderModel', {
      contentType: 'application/json',
      description: 'Body of POST /orders',
      schema: orderBodyJsonSchema() as JsonSchema,
    });
    const place = orders.addMethod('POST', sendToQueue, {
      authorizationType: AuthorizationType.IAM,
      requestModels: { 'application/json': model },
      requestParameters: { [`method.request.header.${IDEMPOTENCY_HEADER}`]: true },
      requestValidator: new RequestValidator(this, 'OrderValidator', {
        restApi: api,
        validateRequestBody: true,
        validateRequestParameters: true,
      }),
      methodResponses: ['202', '400', '413', '503'].map((statusCode) => ({ statusCode })),
    });

    this.statusFunction = new ObservedFunction(this, 'StatusHandler', {
      entry: STATUS_HANDLER,
      description: 'Orders API: order status (read-only table access)',
      invokedBy: 'api-gateway',
      stage,
      serviceName: 'orders-api',
      metricsNamespace: ORDERS_METRICS_NAMESPACE,
      environment: { ORDERS_TABLE_NAME: props.ordersTable.tableName, ALLOWED_ORIGINS: props.corsOrigins.join(',') },
      // The stage throttle (100 requests/s, shared with POST) at a slow 0.25 s per read: 25 at once.
      reservedConcurrency: 25,
    }).function;
    // The status handler reads one order: GetItem.
    props.ordersTable.grant(this.statusFunction, 'dynamodb:GetItem');
    const status = order.addMethod('GET', new LambdaIntegration(this.statusFunction, { allowTestInvoke: false }), {
      authorizationType: AuthorizationType.IAM,
      requestParameters: { 'method.request.path.id': true },
      requestValidator: new RequestValidator(this, 'StatusValidator', { restApi: api, validateRequestParameters: true }),
    });

    for (const method of [place, status]) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Orders use IAM (SigV4) authorization: tills and apps sign with credentials (a Cognito identity pool for customer apps), so no Cognito user pool authorizer.',
      });
    }
    this.gateway.acknowledgeCorsPreflight(orders, order);
    this.gateway.acknowledgeInvokePermissions(status);
  }

  get api(): RestApi {
    return this.gateway.api;
  }

  /** Invoke URL of the API's stage. */
  get url(): string {
    return this.gateway.url;
  }
}
