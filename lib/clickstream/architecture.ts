import { Grant } from 'aws-cdk-lib/aws-iam';
import { architectureStack, defineArchitecture } from '../shared/architecture';
import { CLICKSTREAM_CONFIG } from './clickstream-config';

/** Its stack's module, loaded when the stack is added, not when a command reads the registry (see defineArchitecture). */
const stackModule = (): typeof import('./clickstream-stack') => require('./clickstream-stack');

/** Architecture 3: menu-page clickstream analytics. */
export const clickstream = defineArchitecture({
  name: 'clickstream',
  summary: 'Clickstream analytics: browser -> Kinesis -> Firehose -> S3 Parquet -> Glue -> Athena',
  contextKeys: [],
  integRun: { minutes: '15-25', note: 'CloudFront, then Firehose buffering (60 s) and an Athena query' },
  loadStack: stackModule,
  add: (scope) =>
    architectureStack(
      scope,
      {
        name: 'Clickstream',
        description: 'Coffee shop menu-page clickstream: browser -> Kinesis -> Firehose -> S3 Parquet -> Glue -> Athena',
      },
      (id, props) =>
        new (stackModule().ClickstreamStack)(scope.app, id, { ...props, stage: scope.stage, config: CLICKSTREAM_CONFIG[scope.stage.name] }),
    ),
  // The clicks go in as a guest visitor (the identity pool's role, not this one). Read-only: nothing
  // else. Every check: the data lake listed, and the saved query run in the workgroup (Athena reads
  // the catalog and the data lake, and writes results, with the caller's permissions).
  grantSmoke: (stack, grantee, { readOnly }) => {
    if (readOnly) return;
    const { dataLake, analytics } = stack;
    dataLake.bucket.grantRead(grantee);
    analytics.resultsBucket.grantReadWrite(grantee);
    Grant.addToPrincipal({
      grantee,
      actions: ['athena:GetNamedQuery', 'athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
      resourceArns: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: analytics.workGroup.ref })],
    });
    Grant.addToPrincipal({
      grantee,
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      resourceArns: dataLake.catalogArns(),
    });
  },
});
