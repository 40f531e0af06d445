import { architectureStack, defineArchitecture } from '../shared/architecture';
import { CLICKSTREAM_CONFIG } from './clickstream-config';
import { ClickstreamStack } from './clickstream-stack';

/** Architecture 3: menu-page clickstream analytics. */
export const clickstream = defineArchitecture({
  name: 'clickstream',
  summary: 'Clickstream analytics: browser -> Kinesis -> Firehose -> S3 Parquet -> Glue -> Athena',
  contextKeys: [],
  integRun: { minutes: '15-25', note: 'CloudFront, then Firehose buffering (60 s) and an Athena query' },
  add: (scope) =>
    architectureStack(
      scope,
      {
        name: 'Clickstream',
        description: 'Coffee shop menu-page clickstream: browser -> Kinesis -> Firehose -> S3 Parquet -> Glue -> Athena',
      },
      (id, props) => new ClickstreamStack(scope.app, id, { ...props, stage: scope.stage, config: CLICKSTREAM_CONFIG[scope.stage.name] }),
    ),
});
