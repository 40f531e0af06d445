import { Grant } from 'aws-cdk-lib/aws-iam';
import { architectureStack, defineArchitecture } from '../shared/architecture';
import { CORS_ORIGINS_KEY, parseCorsOrigins } from '../shared/cors-origins';

/** Its stack's module, loaded when the stack is added, not when a command reads the registry (see defineArchitecture). */
const stackModule = (): typeof import('./serverless-api-stack') => require('./serverless-api-stack');

/** Architecture 1: the menu API (API Gateway + Lambda + DynamoDB). */
export const serverlessApi = defineArchitecture({
  name: 'serverless-api',
  summary: 'Serverless API: API Gateway + Lambda + DynamoDB (the menu API)',
  contextKeys: [CORS_ORIGINS_KEY],
  integRun: { minutes: '5-8', note: 'signed API calls through a probe function, then the table' },
  loadStack: stackModule,
  add: (scope) =>
    architectureStack(
      scope,
      { name: 'MenuApi', description: 'Coffee shop menu API: API Gateway + Lambda + DynamoDB' },
      (id, props) =>
        new (stackModule().ServerlessApiStack)(scope.app, id, {
          ...props,
          stage: scope.stage,
          corsOrigins: parseCorsOrigins(scope.read, scope.stage),
        }),
    ),
  // The reads are unsigned; the writes (create, update, delete a test item) are signed calls of the API.
  grantSmoke: (stack, grantee, { readOnly }) => {
    if (!readOnly)
      Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [stack.menuApi.gateway.api.arnForExecuteApi()] });
  },
});
